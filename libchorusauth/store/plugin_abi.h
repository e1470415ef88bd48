/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The contract between libchorusauth and a store plugin (store-postgresql.so):
 * C types only, so the plugin is built against this header and nothing else
 * of the library. The library keeps everything that is Chorus's (usernames,
 * the record format, sealing TOTP keys with the fleet key, the flows); a
 * plugin keeps rows: per user key, an opaque record text, the live counters
 * and a version for compare-and-set. docs/ARCHITECTURE.md, "Store plugins".
 *
 * The plugin exports one function, CHORUS_STORE_PLUGIN_SYMBOL, returning a
 * static table. The library refuses a table whose abi or struct_size differ
 * from its own or that lacks an entry.
 */
#ifndef CHORUS_STORE_PLUGIN_ABI_H
#define CHORUS_STORE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHORUS_STORE_PLUGIN_SYMBOL "chorus_store_plugin_entry"
#define CHORUS_STORE_PLUGIN_FILE "store-postgresql.so"
#define CHORUS_STORE_PLUGIN_ABI 3u

/* What a call reports. Only CHORUS_STORE_UNAVAILABLE means "no server
 * answered", the one failure failmode may treat as an outage. */
enum chorus_store_rc {
    CHORUS_STORE_OK = 0,
    CHORUS_STORE_UNAVAILABLE = 1, /* no server answered (refused, timed out, restarting) */
    CHORUS_STORE_REFUSED = 2,     /* a server answered and refused or failed the request */
    CHORUS_STORE_BUSY = 3,        /* a lock or statement timeout */
    CHORUS_STORE_CONFIG = 4,      /* conninfo, environment or schema version an admin must fix */
    CHORUS_STORE_CORRUPT = 5,     /* a row the plugin cannot read */
    CHORUS_STORE_NO_MEMORY = 6,
    CHORUS_STORE_INVALID = 7, /* the caller passed something malformed */
    CHORUS_STORE_INTERNAL = 8,
    CHORUS_STORE_CONFLICT = 9 /* the row changed since it was read: nothing written, read again */
};

/* A one-line, NUL-terminated explanation, written on every failure. */
typedef struct chorus_store_msg {
    char text[512];
} chorus_store_msg;

/* The counters a login changes (LiveState in store/store.hpp). */
typedef struct chorus_store_live {
    uint64_t last_step;
    uint32_t failures;
    int64_t first_failure_at;
    int64_t locked_until;
    int64_t last_success_at;
    int64_t last_failure_at;
} chorus_store_live;

/* One user's row as read by begin(). version 0: the user has no row (a put
 * with expected version 0 inserts). record is NULL when the row has no
 * record; it belongs to the plugin until free_row(), which wipes it. */
typedef struct chorus_store_row {
    int64_t version;
    char* record;
    chorus_store_live live;
} chorus_store_row;

typedef struct chorus_store_plugin {
    uint32_t abi;         /* CHORUS_STORE_PLUGIN_ABI */
    uint32_t struct_size; /* sizeof(chorus_store_plugin) */

    /* A handle for conninfo; connects lazily, so it opens while the server
     * is down. close() releases everything the handle holds. */
    int (*open)(const char* conninfo, void** handle, chorus_store_msg* msg);
    void (*close)(void* handle);

    /* Reads the row of key (the library's encoded user name) for a turn
     * that end() closes. A plugin may hold nothing in between (a put is
     * then a compare-and-set on the version read), so a turn never keeps a
     * server resource while a user types. */
    int (*begin)(void* handle, const char* key, chorus_store_row* row, chorus_store_msg* msg);
    void (*end)(void* handle, const char* key);
    void (*free_row)(chorus_store_row* row);

    /* Writes the record, the live counters or both (NULL: unchanged) in one
     * durable transaction. expected is the version read (0: insert); on
     * success *version is the new one. Another writer in between:
     * CHORUS_STORE_CONFLICT and nothing written. */
    int (*put)(void* handle, const char* key, const char* record, const chorus_store_live* live,
               int64_t expected, int64_t* version, chorus_store_msg* msg);
    int (*erase)(void* handle, const char* key, chorus_store_msg* msg);
    /* Calls each(arg, key) for every key that has a record; stops early
     * (CHORUS_STORE_INTERNAL) when each returns non-zero. */
    int (*list)(void* handle, int (*each)(void* arg, const char* key), void* arg, chorus_store_msg* msg);
    /* The cost of one live-state write, on no user's row (timing parity). */
    int (*spend_like_a_write)(void* handle, chorus_store_msg* msg);
    /* The server's clock minus this host's, seconds; 0 before connecting. */
    int64_t (*clock_offset)(void* handle);

    /* Administration (chorusctl db): action is "init", "migrate" or
     * "status". *report (free with free_text) is what the tool prints on
     * stdout, also when the call fails (status of an old schema). */
    int (*admin)(const char* conninfo, const char* action, char** report, chorus_store_msg* msg);
    void (*free_text)(char* text);
} chorus_store_plugin;

/* NOLINTNEXTLINE(modernize-redundant-void-arg): this header is C */
typedef const chorus_store_plugin* (*chorus_store_plugin_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* CHORUS_STORE_PLUGIN_ABI_H */
