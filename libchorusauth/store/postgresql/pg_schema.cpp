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
    {2, "hosts call functions, no table rights",
     R"SQL(
-- What pg_store.cpp does, one row per call, with the rights of the owner of
-- chorus.users (SECURITY DEFINER). Hosts get EXECUTE on these and nothing on
-- the table, so no host can bulk-read or rewrite it with its own SQL.
-- A NULL version means "no row was read": insert, unless another writer did.
CREATE FUNCTION chorus.user_get(p_key text)
RETURNS TABLE (record text, last_step bigint, failures integer, first_failure_at bigint, locked_until bigint,
               last_success_at bigint, last_failure_at bigint, version bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
  SELECT u.record, u.last_step, u.failures, u.first_failure_at, u.locked_until, u.last_success_at,
         u.last_failure_at, u.version
  FROM chorus.users u WHERE u.user_key = p_key
$f$;

CREATE FUNCTION chorus.user_put_record(p_key text, p_record text, p_version bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE v bigint;
BEGIN
  IF p_version IS NULL THEN
    INSERT INTO chorus.users AS u (user_key, record) VALUES (p_key, p_record)
      ON CONFLICT (user_key) DO NOTHING RETURNING u.version INTO v;
  ELSE
    UPDATE chorus.users AS u SET record = p_record, version = u.version + 1, updated_at = now()
      WHERE u.user_key = p_key AND u.version = p_version RETURNING u.version INTO v;
  END IF;
  IF FOUND THEN RETURN NEXT v; END IF;
END
$f$;

CREATE FUNCTION chorus.user_put_live(p_key text, p_last_step bigint, p_failures integer,
                                     p_first_failure_at bigint, p_locked_until bigint, p_last_success_at bigint,
                                     p_last_failure_at bigint, p_version bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE v bigint;
BEGIN
  IF p_version IS NULL THEN
    INSERT INTO chorus.users AS u (user_key, last_step, failures, first_failure_at, locked_until,
                                   last_success_at, last_failure_at)
      VALUES (p_key, p_last_step, p_failures, p_first_failure_at, p_locked_until, p_last_success_at,
              p_last_failure_at)
      ON CONFLICT (user_key) DO NOTHING RETURNING u.version INTO v;
  ELSE
    UPDATE chorus.users AS u SET last_step = p_last_step, failures = p_failures,
           first_failure_at = p_first_failure_at, locked_until = p_locked_until,
           last_success_at = p_last_success_at, last_failure_at = p_last_failure_at,
           version = u.version + 1, updated_at = now()
      WHERE u.user_key = p_key AND u.version = p_version RETURNING u.version INTO v;
  END IF;
  IF FOUND THEN RETURN NEXT v; END IF;
END
$f$;

CREATE FUNCTION chorus.user_delete(p_key text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
  DELETE FROM chorus.users u WHERE u.user_key = p_key
$f$;

-- Keys only (chorusctl list): no record, no live state.
CREATE FUNCTION chorus.user_list() RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
  SELECT u.user_key FROM chorus.users u WHERE u.record IS NOT NULL
$f$;

-- Functions are executable by PUBLIC unless revoked. Their owner must be
-- the table's (not, say, a superuser who ran `db migrate`): they run with
-- its rights.
DO $$
DECLARE
  fns text[] := ARRAY['chorus.user_get(text)', 'chorus.user_put_record(text, text, bigint)',
                      'chorus.user_put_live(text, bigint, integer, bigint, bigint, bigint, bigint, bigint)',
                      'chorus.user_delete(text)', 'chorus.user_list()'];
  owner regrole := (SELECT c.relowner FROM pg_class c WHERE c.oid = 'chorus.users'::regclass);
  fn text;
BEGIN
  FOREACH fn IN ARRAY fns LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    IF owner::oid <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %s', fn, owner);
    END IF;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chorus_host') THEN
    GRANT USAGE ON SCHEMA chorus TO chorus_host;
    GRANT SELECT ON chorus.schema_version TO chorus_host;
    REVOKE ALL ON chorus.users FROM chorus_host;
    FOREACH fn IN ARRAY fns LOOP
      EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO chorus_host', fn);
    END LOOP;
  END IF;
END $$;
)SQL"},
    {3, "one call per operation, no session state",
     R"SQL(
-- What pg_store.cpp does from this version on: a read, and a write that is
-- its own transaction (a transaction-scoped lock, the compare-and-set on the
-- version read, the write, the commit), so nothing lives in the session and
-- a pooler in transaction mode may run each call on another server
-- connection. Migration 2's functions stay: hosts one version behind keep
-- working while the fleet is upgraded (docs/FLEET.md, "Rolling upgrades"),
-- and their session lock is the same key, so both kinds of host serialise.
CREATE FUNCTION chorus.user_read(p_key text)
RETURNS TABLE (record text, last_step bigint, failures integer, first_failure_at bigint, locked_until bigint,
               last_success_at bigint, last_failure_at bigint, version bigint, server_time bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
  SELECT u.record, u.last_step, u.failures, u.first_failure_at, u.locked_until, u.last_success_at,
         u.last_failure_at, u.version, floor(extract(epoch FROM clock_timestamp()))::bigint
  FROM (SELECT 1) AS one LEFT JOIN chorus.users u ON u.user_key = p_key
$f$;

-- p_version: the version read, NULL for "no row read" (insert). A part not
-- set keeps its stored value. No row back: another writer came in between.
CREATE FUNCTION chorus.user_write(p_key text, p_version bigint, p_set_record boolean, p_record text,
                                  p_set_live boolean, p_last_step bigint, p_failures integer,
                                  p_first_failure_at bigint, p_locked_until bigint, p_last_success_at bigint,
                                  p_last_failure_at bigint)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS $f$
DECLARE v bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(1128812370, hashtext(p_key));
  IF p_version IS NULL THEN
    INSERT INTO chorus.users AS u (user_key, record, last_step, failures, first_failure_at, locked_until,
                                   last_success_at, last_failure_at)
      VALUES (p_key, CASE WHEN p_set_record THEN p_record END,
              CASE WHEN p_set_live THEN p_last_step ELSE 0 END, CASE WHEN p_set_live THEN p_failures ELSE 0 END,
              CASE WHEN p_set_live THEN p_first_failure_at ELSE 0 END,
              CASE WHEN p_set_live THEN p_locked_until ELSE 0 END,
              CASE WHEN p_set_live THEN p_last_success_at ELSE 0 END,
              CASE WHEN p_set_live THEN p_last_failure_at ELSE 0 END)
      ON CONFLICT (user_key) DO NOTHING RETURNING u.version INTO v;
  ELSE
    UPDATE chorus.users AS u SET
        record = CASE WHEN p_set_record THEN p_record ELSE u.record END,
        last_step = CASE WHEN p_set_live THEN p_last_step ELSE u.last_step END,
        failures = CASE WHEN p_set_live THEN p_failures ELSE u.failures END,
        first_failure_at = CASE WHEN p_set_live THEN p_first_failure_at ELSE u.first_failure_at END,
        locked_until = CASE WHEN p_set_live THEN p_locked_until ELSE u.locked_until END,
        last_success_at = CASE WHEN p_set_live THEN p_last_success_at ELSE u.last_success_at END,
        last_failure_at = CASE WHEN p_set_live THEN p_last_failure_at ELSE u.last_failure_at END,
        version = u.version + 1, updated_at = now()
      WHERE u.user_key = p_key AND u.version = p_version RETURNING u.version INTO v;
  END IF;
  IF FOUND THEN RETURN NEXT v; END IF;
END
$f$;

DO $$
DECLARE
  fns text[] := ARRAY['chorus.user_read(text)',
                      'chorus.user_write(text, bigint, boolean, text, boolean, bigint, integer, bigint, bigint, '
                      'bigint, bigint)'];
  owner regrole := (SELECT c.relowner FROM pg_class c WHERE c.oid = 'chorus.users'::regclass);
  fn text;
BEGIN
  FOREACH fn IN ARRAY fns LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    IF owner::oid <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
      EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %s', fn, owner);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chorus_host') THEN
      EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO chorus_host', fn);
    END IF;
  END LOOP;
END $$;
)SQL"},
};

}  // namespace

Result<int> schema_version(Conn& conn) {
    CHORUS_ASSIGN_OR_RETURN(PgResult has,
                            conn.exec("SELECT to_regclass('chorus.schema_version') IS NOT NULL"));
    if (std::string(PQgetvalue(has.get(), 0, 0)) != "t") return 0;
    CHORUS_ASSIGN_OR_RETURN(PgResult r,
                            conn.exec("SELECT coalesce(max(version), 0) FROM chorus.schema_version"));
    // NOLINTNEXTLINE(cert-err34-c): the server's text for an integer column, always a valid int
    return std::atoi(PQgetvalue(r.get(), 0, 0));
}

Result<int> apply_migrations(Conn& conn, bool init) {
    // search_path for this transaction only (nothing a role can create in
    // public shadows what the migrations name; CVE-2018-1058), and one
    // migrator at a time.
    CHORUS_RETURN_IF_ERROR(conn.exec_script(
        "BEGIN; SET LOCAL search_path = pg_catalog, pg_temp; SELECT pg_advisory_xact_lock(1128812370, 0)"));
    auto run = [&]() -> Result<int> {
        CHORUS_ASSIGN_OR_RETURN(int have, schema_version(conn));
        if (init && have != 0)
            return make_error(Errc::invalid_argument, "the database already has the chorus schema (version " +
                                                          std::to_string(have) +
                                                          "); use `chorusctl db migrate`");
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
