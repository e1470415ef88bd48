// SPDX-License-Identifier: BSD-2-Clause
// chorusctl's PostgreSQL commands, run inside the plugin so that neither the
// tool nor the library knows SQL: `db init|migrate|status`. The plugin
// prints nothing; the tool prints the report and the error.
#include "store/postgresql/pg_admin.hpp"

#include "store/postgresql/pg_conn.hpp"
#include "store/postgresql/pg_schema.hpp"

namespace chorus::pg {
namespace {

// Whether a commit waits for a standby: without that, a failover can lose
// writes the primary acknowledged (a spent code, a spent recovery code, a
// lockout) and they come back (docs/FLEET.md, "Failover"). A warning, not a
// failure: a single server without standbys is a valid, if fragile, setup.
Status replication_report(Conn& conn, std::string& report) {
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn.exec("SELECT current_setting('synchronous_standby_names'), "
                                                  "current_setting('synchronous_commit')"));
    const std::string names = PQgetvalue(r.get(), 0, 0);
    const std::string commit = PQgetvalue(r.get(), 0, 1);
    if (names.empty() || commit == "off" || commit == "local") {
        report += "replication: not synchronous (synchronous_standby_names '" + names +
                  "', synchronous_commit " + commit +
                  ")\nwarning: a failover to a standby can lose accepted codes, spent recovery codes and "
                  "lockouts; use a synchronous standby (docs/FLEET.md, \"Failover\")\n";
        return ok_status();
    }
    report += "replication: synchronous (synchronous_standby_names '" + names + "', synchronous_commit " +
              commit + ")\n";
    return ok_status();
}

Status status_report(Conn& conn, std::string& report) {
    CHORUS_ASSIGN_OR_RETURN(int have, schema_version(conn));
    report += "schema version: " + std::to_string(have) +
              "\nthis chorus:    " + std::to_string(kSchemaVersion) + "\n";
    if (have == 0) {
        report += "state: no chorus schema (run `chorusctl db init`)\n";
        return make_error(Errc::config, "the database has no chorus schema");
    }
    if (have != kSchemaVersion) {
        const bool old = have < kSchemaVersion;
        report +=
            std::string("state: ") + (old ? "needs `chorusctl db migrate`" : "newer than this chorus") + "\n";
        return make_error(Errc::config, old ? "the database schema is older than this chorus"
                                            : "the database schema is newer than this chorus");
    }
    // Through the function: host roles have no rights on the table.
    CHORUS_ASSIGN_OR_RETURN(PgResult n, conn.exec("SELECT count(*) FROM chorus.user_list()"));
    report += std::string("state: up to date\nusers: ") + PQgetvalue(n.get(), 0, 0) + "\n";
    return replication_report(conn, report);
}

Status migrate_report(Conn& conn, bool init, std::string& report) {
    CHORUS_ASSIGN_OR_RETURN(int before, schema_version(conn));
    CHORUS_ASSIGN_OR_RETURN(int after, apply_migrations(conn, init));
    if (before == after)
        report += "schema already at version " + std::to_string(after) + "\n";
    else
        report += "schema at version " + std::to_string(after) + " (was " + std::to_string(before) + ")\n";
    return ok_status();
}

}  // namespace

AdminOutcome run_admin(const std::string& conninfo, const std::string& action) {
    AdminOutcome out;
    if (action != "init" && action != "migrate" && action != "status") {
        out.status = make_error(Errc::invalid_argument, "db: unknown action (init, migrate or status)");
        return out;
    }
    auto params = build_params(conninfo);
    if (!params.ok()) {
        out.status = std::move(params).error();
        return out;
    }
    Conn conn(std::move(params).value());
    out.status = conn.ensure();
    if (!out.status.ok()) return out;
    out.status = action == "status" ? status_report(conn, out.report)
                                    : migrate_report(conn, action == "init", out.report);
    return out;
}

}  // namespace chorus::pg
