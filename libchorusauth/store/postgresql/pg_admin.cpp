// SPDX-License-Identifier: BSD-2-Clause
// chorusctl's PostgreSQL commands, run inside the plugin so that chorusctl
// knows no SQL: `db init|migrate|status` and `migrate-store --from file
// --to postgresql`. Output: results on stdout, problems on stderr.
#include <cstdio>
#include <exception>

#include "flows/context.hpp"
#include "store/postgresql/pg_admin.hpp"
#include "store/postgresql/pg_schema.hpp"
#include "store/postgresql/pg_store.hpp"
#include "store/postgresql/plugin_abi.hpp"

namespace chorus::pg {
namespace {

int complain(const std::string& what, const Error& e) {
    (void)std::fprintf(stderr, "chorusctl: %s: %s\n", what.c_str(), e.message.c_str());
    return 1;
}

Result<Config> load_pg_config(const char* path) {
    CHORUS_ASSIGN_OR_RETURN(Config cfg, load_config(path != nullptr ? path : ""));
    if (cfg.store.backend != StoreBackend::postgresql)
        return make_error(Errc::config, cfg.source + ": store.backend is not postgresql");
    return cfg;
}

int db(const char* config_path, std::string_view action) {
    auto cfg = load_pg_config(config_path);
    if (!cfg.ok()) return complain("configuration", cfg.error());
    auto params = build_params(cfg->store.conninfo);
    if (!params.ok()) return complain("configuration", params.error());
    Conn conn(std::move(params).value());
    if (Status s = conn.ensure(false); !s.ok()) return complain("database", s.error());
    if (action == "status") {
        auto v = schema_version(conn);
        if (!v.ok()) return complain("db status", v.error());
        std::printf("schema version: %d\nthis chorus:    %d\n", *v, kSchemaVersion);
        if (*v == 0) {
            std::printf("state: no chorus schema (run `chorusctl db init`)\n");
            return 1;
        }
        if (*v != kSchemaVersion) {
            std::printf("state: %s\n",
                        *v < kSchemaVersion ? "needs `chorusctl db migrate`" : "newer than this chorus");
            return 1;
        }
        // Through the function: host roles have no rights on the table.
        auto n = conn.exec("SELECT count(*) FROM chorus.user_list()");
        if (!n.ok()) return complain("db status", n.error());
        std::printf("state: up to date\nusers: %s\n", PQgetvalue(n->get(), 0, 0));
        return 0;
    }
    auto before = schema_version(conn);
    if (!before.ok()) return complain("db " + std::string(action), before.error());
    auto after = apply_migrations(conn, action == "init");
    if (!after.ok()) return complain("db " + std::string(action), after.error());
    if (*before == *after)
        std::printf("schema already at version %d\n", *after);
    else
        std::printf("schema at version %d (was %d)\n", *after, *before);
    return 0;
}

// Copies one user; skips (returns false) a user the database already has.
Result<bool> copy_user(Store& from, Store& to, const std::string& user) {
    CHORUS_ASSIGN_OR_RETURN(auto src, from.begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, src->record());
    CHORUS_ASSIGN_OR_RETURN(LiveState live, src->live());
    if (!rec) return false;
    CHORUS_ASSIGN_OR_RETURN(auto dst, to.begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> have, dst->record());
    if (have) return false;
    CHORUS_RETURN_IF_ERROR(dst->put_record(*rec));
    CHORUS_RETURN_IF_ERROR(dst->put_live(live));
    return true;
}

int migrate(const char* config_path) {
    auto cfg = load_pg_config(config_path);
    if (!cfg.ok()) return complain("configuration", cfg.error());
    StoreConfig file_cfg = cfg->store;
    file_cfg.backend = StoreBackend::file;
    auto from = open_store(file_cfg);
    if (!from.ok()) return complain("file store " + file_cfg.path, from.error());
    auto key = load_seal_key(cfg->store.seal_key_file);
    if (!key.ok()) return complain("seal key", key.error());
    auto to = open_pg_store(cfg->store, *key);
    if (!to.ok()) return complain("postgresql store", to.error());
    auto users = (*from)->list_users();
    if (!users.ok()) return complain("file store " + file_cfg.path, users.error());
    int copied = 0, skipped = 0, failed = 0;
    for (const std::string& u : *users) {
        auto r = copy_user(**from, **to, u);
        if (!r.ok()) {
            ++failed;
            complain(u, r.error());
            if (r.code() == Errc::io || r.code() == Errc::unavailable || r.code() == Errc::config)
                break;  // the database, not this user
        } else if (*r) {
            ++copied;
        } else {
            ++skipped;
            (void)std::fprintf(stderr, "chorusctl: %s: already in the database; left as it is\n", u.c_str());
        }
    }
    std::printf("copied %d user(s) from %s to postgresql; %d skipped, %d failed\n", copied,
                file_cfg.path.c_str(), skipped, failed);
    return failed == 0 ? 0 : 1;
}

}  // namespace

int db_command(const char* config_path, const char* action, int /*debug*/) noexcept {
    try {
        const std::string_view a = action != nullptr ? action : "";
        if (a != "init" && a != "migrate" && a != "status") {
            (void)std::fprintf(stderr, "chorusctl: db: unknown action (init, migrate or status)\n");
            return 2;
        }
        return db(config_path, a);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "chorusctl: db: %s\n", e.what());
        return 1;
    }
}

int migrate_from_file(const char* config_path, int /*debug*/) noexcept {
    try {
        return migrate(config_path);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "chorusctl: migrate-store: %s\n", e.what());
        return 1;
    }
}

}  // namespace chorus::pg
