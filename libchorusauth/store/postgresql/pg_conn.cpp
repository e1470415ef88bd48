// SPDX-License-Identifier: BSD-2-Clause
#include "store/postgresql/pg_conn.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace chorus::pg {
namespace {

struct OptionsFree {
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using Options = std::unique_ptr<PQconninfoOption, OptionsFree>;

std::string one_line(std::string_view s) {
    std::string out;
    for (char c : s) out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

// Whether a failed connection attempt is an outage: no server answered
// (refused, unreachable, unresolvable, timed out, gone) or the servers are
// restarting or standing by. A server that answered and refused this host
// (pg_hba, role, password, certificate, too many clients) or a TLS failure is
// not: failmode's doors would then stay open on a host the DBA has cut off,
// or for a man in the middle. Text not recognised (another libpq version, a
// translation) is not an outage either, so failmode stays shut.
bool is_outage(std::string_view msg) {
    auto has = [&](std::string_view s) { return msg.find(s) != std::string_view::npos; };
    if (has("the database system is")) return true;  // starting up, shutting down, in recovery
    for (std::string_view refused : {"FATAL", "SSL", "certificate", "authentication", "password", "pg_hba"})
        if (has(refused)) return false;
    return std::ranges::any_of(
        std::initializer_list<std::string_view>{
            "Connection refused", "timeout expired", "No route to host", "Network is unreachable",
            "could not translate host name", "No such file or directory", "Connection reset",
            "Connection timed out", "server closed the connection unexpectedly", "session is read-only",
            "is in hot standby mode"},
        has);
}

const char* find_value(const PQconninfoOption* opts, std::string_view key) {
    for (const PQconninfoOption* o = opts; o->keyword != nullptr; ++o)
        if (key == o->keyword && o->val != nullptr && *o->val != '\0') return o->val;
    return nullptr;
}

// Present at all, even empty: libpq looks up service='' too (the "[]" entry).
bool is_given(const PQconninfoOption* opts, std::string_view key) {
    for (const PQconninfoOption* o = opts; o->keyword != nullptr; ++o)
        if (key == o->keyword) return o->val != nullptr;
    return false;
}

// Files libpq finds under the home directory, which it takes from $HOME
// (libpq 15.20 does; older ones asked the password database). Pinned to the
// effective user's home from the password database: root's under su and
// sudo, whatever HOME the caller passed (docs/FLEET.md).
std::string home_file(std::string_view key) {
    std::vector<char> buf(16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    const bool known =
        ::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr;
    const std::string home = known && pw.pw_dir != nullptr ? pw.pw_dir : "/nonexistent";
    if (key == "passfile") return home + "/.pgpass";
    if (key == "sslcert") return home + "/.postgresql/postgresql.crt";
    if (key == "sslkey") return home + "/.postgresql/postgresql.key";
    if (key == "sslrootcert") return home + "/.postgresql/root.crt";
    if (key == "sslcrl") return home + "/.postgresql/root.crl";
    return "";
}

bool is_timeout(const char* sqlstate) {
    // lock_not_available, query_canceled (statement_timeout), serialization, deadlock
    return sqlstate != nullptr &&
           (std::strcmp(sqlstate, "55P03") == 0 || std::strcmp(sqlstate, "57014") == 0 ||
            std::strcmp(sqlstate, "40001") == 0 || std::strcmp(sqlstate, "40P01") == 0);
}

}  // namespace

Result<ConnParams> build_params(const std::string& conninfo) {
    char* err = nullptr;
    Options given(PQconninfoParse(conninfo.c_str(), &err));
    if (!given) {
        std::string msg = err != nullptr ? one_line(err) : "out of memory";
        PQfreemem(err);
        return make_error(Errc::config, "store.conninfo: " + msg);
    }
    if (find_value(given.get(), "password") != nullptr)
        return make_error(Errc::config,
                          "store.conninfo: must not hold a password (chorus.yaml is world-readable); use a "
                          "root-only passfile= or sslcert=/sslkey=");
    // libpq would read the service file named by PGSERVICEFILE, or under
    // HOME, or in PGSYSCONFDIR, and fill host (a socket directory too),
    // hostaddr, dbname and user from it: under su or sudo the caller's
    // environment would choose the server.
    if (is_given(given.get(), "service"))
        return make_error(Errc::config,
                          "store.conninfo: must not name a service (libpq finds the service file through "
                          "PGSERVICEFILE, HOME or PGSYSCONFDIR, which the user logging in sets under su and "
                          "sudo); write host, port, dbname and user in store.conninfo");
    Options defaults(PQconndefaults());
    if (!defaults) return make_error(Errc::no_memory, "PQconndefaults failed");

    ConnParams p;
    auto add = [&](std::string k, std::string v) {
        p.keys.push_back(std::move(k));
        p.values.push_back(std::move(v));
    };
    add("connect_timeout", "2");
    add("application_name", "chorus");
    add("client_encoding", "UTF8");
    for (const PQconninfoOption* o = defaults.get(); o->keyword != nullptr; ++o) {
        const std::string_view key = o->keyword;
        if (o->envvar == nullptr || find_value(given.get(), key) != nullptr) continue;
        if (key == "password" || key == "connect_timeout" || key == "application_name" ||
            key == "client_encoding")
            continue;
        std::string f = home_file(key);
        // With sslcrldir and no sslcrl libpq loads no default CRL file; a
        // pinned one that is missing would make it drop the directory too.
        if (key == "sslcrl" && find_value(given.get(), "sslcrldir") != nullptr) f.clear();
        // NOLINTNEXTLINE(concurrency-mt-unsafe): libpq calls getenv() too; nothing here sets the env
        const char* env = std::getenv(o->envvar);
        if (!f.empty()) {
            add(o->keyword, f);
        } else if (o->compiled != nullptr && *o->compiled != '\0') {
            add(o->keyword, o->compiled);
        } else if (env != nullptr && (*env != '\0' || key == "service")) {  // PGSERVICE="" is looked up too
            // No safe value to pin (PGHOSTADDR, PGSERVICE, PGOPTIONS...): the
            // caller's environment must not steer the fleet connection.
            const std::string fix = key == "service"
                                        ? std::string("unset it")
                                        : std::string("set ") + o->keyword + " in store.conninfo";
            return make_error(Errc::config, std::string("environment variable ") + o->envvar +
                                                " is set; refusing to let it change the store connection (" +
                                                fix + ")");
        }
    }
    add("dbname", conninfo);  // expanded last: what the admin wrote wins
    return p;
}

void Conn::drop() {
    if (c_ != nullptr) PQfinish(c_);
    c_ = nullptr;
}

Error Conn::failure(const char* what, const PGresult* r) const {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string detail = one_line(r != nullptr && *PQresultErrorMessage(r) != '\0' ? PQresultErrorMessage(r)
                                  : c_ != nullptr                                  ? PQerrorMessage(c_)
                                                                                   : "not connected");
    std::string msg = std::string("postgresql store: ") + what + ": " + detail;
    if (c_ == nullptr || PQstatus(c_) != CONNECTION_OK)
        return make_error(Errc::unavailable, msg + " (database unreachable)");
    if (is_timeout(state)) return make_error(Errc::busy, msg);
    if (state != nullptr && std::strcmp(state, "42P01") == 0)  // undefined_table
        return make_error(Errc::config, msg + " (run `chorusctl db init`)");
    return make_error(Errc::io, msg);
}

Status Conn::ensure(bool check_schema) {
    if (connected()) return ok_status();
    drop();
    std::vector<const char*> keys, values;
    for (std::size_t i = 0; i < params_.keys.size(); ++i) {
        keys.push_back(params_.keys[i].c_str());
        values.push_back(params_.values[i].c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    c_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (c_ == nullptr) return make_error(Errc::no_memory, "postgresql store: out of memory");
    if (PQstatus(c_) != CONNECTION_OK) {
        const std::string why = one_line(PQerrorMessage(c_));
        Error e = is_outage(why)
                      ? make_error(Errc::unavailable, "postgresql store: cannot connect: " + why)
                      : make_error(Errc::io, "postgresql store: the database refused this host: " + why);
        drop();
        return e;
    }
    // A session that is not fully set up is not used: the next call connects again.
    if (Status st = set_up_session(check_schema); !st.ok()) {
        drop();
        return st;
    }
    return ok_status();
}

// One round trip, since every PAM call opens its own connection (a real
// network makes each round trip count):
// - a login waits at most lock_timeout for another login of the same user;
// - search_path pinned: nothing a host role can create (in public, say)
//   shadows a built-in our statements or migrations name (CVE-2018-1058);
// - the fleet shares one clock, the database's: every expiry a host computes
//   (lockout end, failure window, reset codes, the TOTP step) then agrees
//   with the other hosts' even when this host's clock is off. Measured once
//   per connection, rounded to the nearest second around the round trip;
// - the schema version this build needs (not for the admin's db commands).
// Statements sent together run as one transaction: if the last fails, the
// settings are rolled back too, and the caller drops the connection.
Status Conn::set_up_session(bool check_schema) {
    static constexpr const char* kSettings =
        "SET search_path = pg_catalog, pg_temp; SET lock_timeout = '10s'; SET statement_timeout = '15s'; "
        "SET idle_in_transaction_session_timeout = '30s'; ";
    static constexpr const char* kClock = "SELECT floor(extract(epoch FROM clock_timestamp()))::bigint";
    const std::string sql =
        std::string(kSettings) + kClock +
        (check_schema ? ", (SELECT coalesce(max(version), 0) FROM chorus.schema_version)" : "");
    const auto before = static_cast<std::int64_t>(std::time(nullptr));
    PgResult r(PQexec(c_, sql.c_str()));
    const auto after = static_cast<std::int64_t>(std::time(nullptr));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1)
        return failure("session set-up failed", r.get());
    const std::int64_t db = std::strtoll(PQgetvalue(r.get(), 0, 0), nullptr, 10);
    clock_offset_ = db - (before + (after - before) / 2);
    if (!check_schema) return ok_status();
    // NOLINTNEXTLINE(cert-err34-c): the server's text for an integer column, always a valid int
    const int have = std::atoi(PQgetvalue(r.get(), 0, 1));
    if (have != kSchemaVersion)
        return make_error(Errc::config, "postgresql store: database schema version " + std::to_string(have) +
                                            ", this build needs " + std::to_string(kSchemaVersion) +
                                            (have < kSchemaVersion ? " (run `chorusctl db migrate`)"
                                                                   : " (upgrade chorus on this host)"));
    return ok_status();
}

Result<PgResult> Conn::exec(const char* sql, const std::vector<const char*>& params) {
    if (c_ == nullptr)
        return make_error(Errc::unavailable, "postgresql store: not connected (database unreachable)");
    PgResult r(
        PQexecParams(c_, sql, static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr, 0));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    return failure("query failed", r.get());
}

Status Conn::exec_script(const char* sql) {
    if (c_ == nullptr)
        return make_error(Errc::unavailable, "postgresql store: not connected (database unreachable)");
    PgResult r(PQexec(c_, sql));
    const ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return ok_status();
    return failure("statement failed", r.get());
}

}  // namespace chorus::pg
