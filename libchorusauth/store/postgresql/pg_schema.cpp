// SPDX-License-Identifier: BSD-2-Clause
// Migration N brings the schema from version N-1 to N. Never edit one that
// has shipped: add the next. docs/FLEET.md explains the tables and grants.
#include "store/postgresql/pg_schema.hpp"

#include <cstdlib>

namespace chorus::pg {
namespace {

struct Migration {
    int version;
    const char* description;
    const char* sql;
};

const Migration kMigrations[] = {
    {1, "users table",
     R"SQL(
CREATE SCHEMA IF NOT EXISTS chorus;
CREATE TABLE chorus.schema_version (
    version     integer PRIMARY KEY,
    description text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
-- One row per user. user_key is encode_username(name): ASCII, and the
-- additional data of the sealed TOTP key. record is the file store's record
-- text (record_codec) with the TOTP key sealed by the fleet key (AES-256-GCM)
-- and recovery/reset codes as salted hashes; NULL when only live state exists.
-- Times are Unix seconds from the hosts' (NTP-synchronised) clocks.
CREATE TABLE chorus.users (
    user_key         text PRIMARY KEY CHECK (length(user_key) BETWEEN 1 AND 240),
    record           text CHECK (record IS NULL OR length(record) <= 1048576),
    last_step        bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    failures         integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    first_failure_at bigint NOT NULL DEFAULT 0,
    locked_until     bigint NOT NULL DEFAULT 0,
    last_success_at  bigint NOT NULL DEFAULT 0,
    last_failure_at  bigint NOT NULL DEFAULT 0,
    version          bigint NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON SCHEMA chorus FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA chorus FROM PUBLIC;
-- Hosts log in as members of chorus_host (created by the DBA, see FLEET.md).
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chorus_host') THEN
    GRANT USAGE ON SCHEMA chorus TO chorus_host;
    GRANT SELECT ON chorus.schema_version TO chorus_host;
    GRANT SELECT, INSERT, UPDATE, DELETE ON chorus.users TO chorus_host;
  END IF;
END $$;
)SQL"},
};

}  // namespace

Result<int> schema_version(Conn& conn) {
    CHORUS_ASSIGN_OR_RETURN(PgResult has, conn.exec("SELECT to_regclass('chorus.schema_version') IS NOT NULL"));
    if (std::string(PQgetvalue(has.get(), 0, 0)) != "t") return 0;
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn.exec("SELECT coalesce(max(version), 0) FROM chorus.schema_version"));
    return std::atoi(PQgetvalue(r.get(), 0, 0));
}

Result<int> apply_migrations(Conn& conn, bool init) {
    CHORUS_RETURN_IF_ERROR(conn.exec_script("BEGIN; SELECT pg_advisory_xact_lock(1128812370, 0)"));
    auto run = [&]() -> Result<int> {
        CHORUS_ASSIGN_OR_RETURN(int have, schema_version(conn));
        if (init && have != 0)
            return make_error(Errc::invalid_argument, "the database already has the chorus schema (version " +
                                                          std::to_string(have) + "); use `chorusctl db migrate`");
        if (have > kSchemaVersion)
            return make_error(Errc::unsupported, "the database schema (version " + std::to_string(have) +
                                                     ") is newer than this chorus (" +
                                                     std::to_string(kSchemaVersion) + ")");
        for (const Migration& m : kMigrations) {
            if (m.version <= have) continue;
            CHORUS_RETURN_IF_ERROR(conn.exec_script(m.sql));
            const std::string v = std::to_string(m.version);
            CHORUS_RETURN_IF_ERROR(
                conn.exec("INSERT INTO chorus.schema_version (version, description) VALUES ($1, $2)",
                          {v.c_str(), m.description})
                    .status());
            have = m.version;
        }
        return have;
    };
    Result<int> done = run();
    if (!done.ok()) {
        conn.exec_script("ROLLBACK").ignore();
        return done;
    }
    CHORUS_RETURN_IF_ERROR(conn.exec_script("COMMIT"));
    return done;
}

}  // namespace chorus::pg
