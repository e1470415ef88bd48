// SPDX-License-Identifier: BSD-2-Clause
// The one symbol store-postgresql.so exports (store-postgresql.map): the
// table of store/plugin_abi.h. Every entry catches what C++ may throw and
// answers with a chorus_store_rc and a message; nothing C++ crosses.
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>

#include "store/plugin_abi.h"
#include "store/postgresql/pg_admin.hpp"
#include "store/postgresql/pg_store.hpp"

namespace {

using chorus::Errc;
using chorus::pg::PgRows;

int to_rc(Errc code) {
    switch (code) {
    case Errc::unavailable:
        return CHORUS_STORE_UNAVAILABLE;
    case Errc::io:
        return CHORUS_STORE_REFUSED;
    case Errc::busy:
        return CHORUS_STORE_BUSY;
    case Errc::conflict:
        return CHORUS_STORE_CONFLICT;
    case Errc::config:
        return CHORUS_STORE_CONFIG;
    case Errc::corrupt:
        return CHORUS_STORE_CORRUPT;
    case Errc::no_memory:
        return CHORUS_STORE_NO_MEMORY;
    case Errc::invalid_argument:
        return CHORUS_STORE_INVALID;
    default:
        return CHORUS_STORE_INTERNAL;
    }
}

void say(chorus_store_msg* msg, const std::string& text) {
    if (msg == nullptr) return;
    const std::size_t n = std::min(text.size(), sizeof msg->text - 1);
    std::memcpy(msg->text, text.data(), n);
    msg->text[n] = '\0';
}

int fail(chorus_store_msg* msg, const chorus::Error& e) {
    say(msg, e.message);
    return to_rc(e.code);
}

// Runs body, turning exceptions into codes: the caller is C.
template <typename Body>
int guarded(chorus_store_msg* msg, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        say(msg, "postgresql store: out of memory");
        return CHORUS_STORE_NO_MEMORY;
    } catch (const std::exception& e) {
        say(msg, std::string("postgresql store: ") + e.what());
        return CHORUS_STORE_INTERNAL;
    }
}

PgRows* rows(void* h) {
    return static_cast<PgRows*>(h);
}

int open_handle(const char* conninfo, void** handle, chorus_store_msg* msg) {
    if (handle == nullptr || conninfo == nullptr) return CHORUS_STORE_INVALID;
    *handle = nullptr;
    return guarded(msg, [&] {
        auto params = chorus::pg::build_params(conninfo);
        if (!params.ok()) return fail(msg, params.error());
        *handle = new PgRows(std::move(params).value());
        return static_cast<int>(CHORUS_STORE_OK);
    });
}

void close_handle(void* handle) {
    delete rows(handle);
}

char* dup_secret(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out != nullptr) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
}

void free_row(chorus_store_row* row) {
    if (row == nullptr || row->record == nullptr) return;
    explicit_bzero(row->record, std::strlen(row->record));
    std::free(row->record);
    row->record = nullptr;
}

int begin_user(void* h, const char* key, chorus_store_row* row, chorus_store_msg* msg) {
    if (h == nullptr || key == nullptr || row == nullptr) return CHORUS_STORE_INVALID;
    *row = chorus_store_row{};
    return guarded(msg, [&] {
        auto r = rows(h)->begin(key);
        if (!r.ok()) return fail(msg, r.error());
        if (r->record) {
            std::string& text = *r->record;
            row->record = dup_secret(text);
            explicit_bzero(text.data(), text.size());
            if (row->record == nullptr) {
                say(msg, "postgresql store: out of memory");
                return static_cast<int>(CHORUS_STORE_NO_MEMORY);
            }
        }
        row->version = r->version;
        row->live = r->live;
        return static_cast<int>(CHORUS_STORE_OK);
    });
}

// Nothing is held between a read and a write (pg_store.cpp).
void end_user(void* /*h*/, const char* /*key*/) {}

int put(void* h, const char* key, const char* record, const chorus_store_live* live, int64_t expected,
        int64_t* version, chorus_store_msg* msg) {
    if (h == nullptr || key == nullptr || (record == nullptr && live == nullptr) || version == nullptr ||
        expected < 0)
        return CHORUS_STORE_INVALID;
    return guarded(msg, [&] {
        const std::optional<std::string> text =
            record != nullptr ? std::optional<std::string>(record) : std::nullopt;
        auto v = rows(h)->put(key, text ? &*text : nullptr, live, expected);
        if (!v.ok()) return fail(msg, v.error());
        *version = *v;
        return static_cast<int>(CHORUS_STORE_OK);
    });
}

int erase_user(void* h, const char* key, chorus_store_msg* msg) {
    if (h == nullptr || key == nullptr) return CHORUS_STORE_INVALID;
    return guarded(msg, [&] {
        chorus::Status s = rows(h)->erase(key);
        return s.ok() ? static_cast<int>(CHORUS_STORE_OK) : fail(msg, s.error());
    });
}

int list_keys(void* h, int (*each)(void*, const char*), void* arg, chorus_store_msg* msg) {
    if (h == nullptr || each == nullptr) return CHORUS_STORE_INVALID;
    return guarded(msg, [&] {
        auto keys = rows(h)->list();
        if (!keys.ok()) return fail(msg, keys.error());
        for (const std::string& k : *keys) {
            if (each(arg, k.c_str()) != 0) {
                say(msg, "postgresql store: listing stopped by the caller");
                return static_cast<int>(CHORUS_STORE_INTERNAL);
            }
        }
        return static_cast<int>(CHORUS_STORE_OK);
    });
}

int spend_like_a_write(void* h, chorus_store_msg* msg) {
    if (h == nullptr) return CHORUS_STORE_INVALID;
    return guarded(msg, [&] {
        chorus::Status s = rows(h)->spend_like_a_write();
        return s.ok() ? static_cast<int>(CHORUS_STORE_OK) : fail(msg, s.error());
    });
}

int64_t clock_offset(void* h) {
    return h != nullptr ? rows(h)->clock_offset() : 0;
}

int admin(const char* conninfo, const char* action, char** report, chorus_store_msg* msg) {
    if (conninfo == nullptr || action == nullptr || report == nullptr) return CHORUS_STORE_INVALID;
    *report = nullptr;
    return guarded(msg, [&] {
        chorus::pg::AdminOutcome out = chorus::pg::run_admin(conninfo, action);
        if (!out.report.empty()) {
            *report = strdup(out.report.c_str());
            if (*report == nullptr) throw std::bad_alloc();
        }
        return out.status.ok() ? static_cast<int>(CHORUS_STORE_OK) : fail(msg, out.status.error());
    });
}

void free_text(char* text) {
    std::free(text);
}

const chorus_store_plugin kPlugin = {
    CHORUS_STORE_PLUGIN_ABI,
    sizeof(chorus_store_plugin),
    &open_handle,
    &close_handle,
    &begin_user,
    &end_user,
    &free_row,
    &put,
    &erase_user,
    &list_keys,
    &spend_like_a_write,
    &clock_offset,
    &admin,
    &free_text,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const chorus_store_plugin* chorus_store_plugin_entry() {
    return &kPlugin;
}
