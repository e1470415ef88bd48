/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A store plugin that keeps rows in this process's memory, written from the
 * contract (store/plugin_abi.h) alone: it shows what crosses the boundary,
 * and lets the unit tests drive the library's side of it. The conninfo
 * "fail=<entry>:<rc>" makes that entry fail with that code; every handle of
 * the process shares the rows, as hosts share a database.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "store/plugin_abi.h"

#define MAX_ROWS 16

#ifndef MEMORY_STORE_ABI
#define MEMORY_STORE_ABI CHORUS_STORE_PLUGIN_ABI
#endif

struct row {
    char* key;
    char* record;
    chorus_store_live live;
    int64_t version;
};

static struct row rows[MAX_ROWS];
static int ends; /* end() calls: every begin that succeeded is ended once */

struct handle {
    char fail_entry[32];
    int fail_rc;
};

static int failing(const struct handle* h, const char* entry, chorus_store_msg* msg) {
    if (h == NULL || strcmp(h->fail_entry, entry) != 0) return 0;
    strcpy(msg->text, "memory store: ");
    strncat(msg->text, entry, 64);
    strcat(msg->text, " fails as asked");
    return 1;
}

static struct row* find(const char* key) {
    for (int i = 0; i < MAX_ROWS; ++i)
        if (rows[i].key != NULL && strcmp(rows[i].key, key) == 0) return &rows[i];
    return NULL;
}

static struct row* add(const char* key) {
    for (int i = 0; i < MAX_ROWS; ++i) {
        if (rows[i].key == NULL) {
            rows[i].key = strdup(key);
            rows[i].version = 0;
            return &rows[i];
        }
    }
    return NULL;
}

static int m_open(const char* conninfo, void** out, chorus_store_msg* msg) {
    struct handle* h = calloc(1, sizeof *h);
    if (h == NULL) return CHORUS_STORE_NO_MEMORY;
    const char* f = strstr(conninfo, "fail=");
    if (f != NULL) {
        const char* colon = strchr(f, ':');
        size_t n = colon != NULL ? (size_t)(colon - f - 5) : 0;
        if (n >= sizeof h->fail_entry) n = sizeof h->fail_entry - 1;
        memcpy(h->fail_entry, f + 5, n);
        h->fail_rc = colon != NULL ? atoi(colon + 1) : CHORUS_STORE_INTERNAL;
    }
    if (failing(h, "open", msg)) {
        const int rc = h->fail_rc;
        free(h);
        return rc;
    }
    *out = h;
    return CHORUS_STORE_OK;
}

static void m_close(void* h) {
    free(h);
}

static int m_begin(void* vh, const char* key, chorus_store_row* out, chorus_store_msg* msg) {
    struct handle* h = vh;
    if (failing(h, "begin", msg)) return h->fail_rc;
    memset(out, 0, sizeof *out);
    const struct row* r = find(key);
    if (r == NULL) return CHORUS_STORE_OK;
    out->version = r->version;
    out->live = r->live;
    if (r->record != NULL && (out->record = strdup(r->record)) == NULL) return CHORUS_STORE_NO_MEMORY;
    return CHORUS_STORE_OK;
}

static void m_end(void* h, const char* key) {
    (void)h;
    (void)key;
    ++ends;
}

static void m_free_row(chorus_store_row* row) {
    if (row->record != NULL) explicit_bzero(row->record, strlen(row->record));
    free(row->record);
    row->record = NULL;
}

/* The row to write if expected matches, else NULL (busy). */
static struct row* claim(const char* key, int64_t expected) {
    struct row* r = find(key);
    if (expected == 0) return r == NULL ? add(key) : NULL;
    return r != NULL && r->version == expected ? r : NULL;
}

static int m_put(void* vh, const char* key, const char* record, const chorus_store_live* live,
                 int64_t expected, int64_t* version, chorus_store_msg* msg) {
    struct handle* h = vh;
    if (record != NULL && failing(h, "put_record", msg)) return h->fail_rc;
    if (live != NULL && failing(h, "put_live", msg)) return h->fail_rc;
    struct row* r = claim(key, expected);
    if (r == NULL) {
        strcpy(msg->text, "memory store: changed concurrently");
        return CHORUS_STORE_CONFLICT;
    }
    if (record != NULL) {
        free(r->record);
        r->record = strdup(record);
    }
    if (live != NULL) r->live = *live;
    *version = ++r->version;
    return CHORUS_STORE_OK;
}

static int m_erase(void* vh, const char* key, chorus_store_msg* msg) {
    struct handle* h = vh;
    if (failing(h, "erase", msg)) return h->fail_rc;
    struct row* r = find(key);
    if (r != NULL) {
        free(r->key);
        free(r->record);
        memset(r, 0, sizeof *r);
    }
    return CHORUS_STORE_OK;
}

static int m_list(void* vh, int (*each)(void*, const char*), void* arg, chorus_store_msg* msg) {
    struct handle* h = vh;
    if (failing(h, "list", msg)) return h->fail_rc;
    for (int i = 0; i < MAX_ROWS; ++i)
        if (rows[i].key != NULL && rows[i].record != NULL && each(arg, rows[i].key) != 0)
            return CHORUS_STORE_INTERNAL;
    return CHORUS_STORE_OK;
}

static int m_spend(void* vh, chorus_store_msg* msg) {
    struct handle* h = vh;
    if (failing(h, "spend", msg)) return h->fail_rc;
    return CHORUS_STORE_OK;
}

static int64_t m_clock_offset(void* h) {
    (void)h;
    return 7; /* this "server" runs 7 s ahead */
}

/* The report names the action; it is given also when the action fails. */
static int m_admin(const char* conninfo, const char* action, char** report, chorus_store_msg* msg) {
    void* hp = NULL;
    int rc = m_open(conninfo, &hp, msg);
    if (rc != CHORUS_STORE_OK) return rc;
    struct handle* h = hp;
    *report = strdup(action);
    rc = *report == NULL ? CHORUS_STORE_NO_MEMORY : failing(h, "admin", msg) ? h->fail_rc : CHORUS_STORE_OK;
    free(h);
    return rc;
}

static void m_free_text(char* t) {
    free(t);
}

static const chorus_store_plugin table = {
    MEMORY_STORE_ABI, sizeof(chorus_store_plugin),
    m_open,           m_close,
    m_begin,          m_end,
    m_free_row,       m_put,
    m_erase,          m_list,
    m_spend,          m_clock_offset,
    m_admin,          m_free_text,
};

__attribute__((visibility("default"))) const chorus_store_plugin* chorus_store_plugin_entry(void) {
    return &table;
}

/* For the tests: the stored record text of key (NULL: none), and the ends. */
__attribute__((visibility("default"))) const char* memory_store_record(const char* key) {
    const struct row* r = find(key);
    return r != NULL ? r->record : NULL;
}
__attribute__((visibility("default"))) int memory_store_ends(void) {
    return ends;
}
