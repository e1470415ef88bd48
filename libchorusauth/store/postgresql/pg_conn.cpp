// SPDX-License-Identifier: BSD-2-Clause
#include "store/postgresql/pg_conn.hpp"

#include <poll.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>

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
// (refused, unreachable, unresolvable, timed out, gone), the server is
// starting up or shutting down, or a pooler in front of it says it cannot
// reach it. A server that answered and refused this host (pg_hba, role,
// password, certificate, too many clients), a pooler that refused it
// (max_client_conn), a standby that answered when a primary was asked for
// (target_session_attrs during a failover), or a TLS failure is not: failmode's
// doors would then open on a host the DBA has cut off, for a man in the
// middle, or for anyone able to fill a pool. Text not recognised (another
// libpq version, a translation) is not an outage either, so failmode stays
// shut.
bool is_outage(std::string_view msg) {
    auto has = [&](std::string_view s) { return msg.find(s) != std::string_view::npos; };
    if (has("the database system is starting up") || has("the database system is shutting down")) return true;
    if (has("pgbouncer cannot connect to server")) return true;  // the pooler's own outage report
    for (std::string_view refused : {"FATAL", "ERROR", "SSL", "certificate", "authentication", "password",
                                     "pg_hba", "read-only", "hot standby", "too many", "no more connections"})
        if (has(refused)) return false;
    return std::ranges::any_of(
        std::initializer_list<std::string_view>{
            "Connection refused", "timeout expired", "No route to host", "Network is unreachable",
            "could not translate host name", "No such file or directory", "Connection reset",
            "Connection timed out", "server closed the connection unexpectedly"},
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

bool is_state(const char* sqlstate, const char* want) {
    return sqlstate != nullptr && std::strcmp(sqlstate, want) == 0;
}

bool is_timeout(const char* sqlstate) {
    // lock_not_available, query_canceled (statement_timeout), serialization, deadlock
    return is_state(sqlstate, "55P03") || is_state(sqlstate, "57014") || is_state(sqlstate, "40001") ||
           is_state(sqlstate, "40P01");
}

std::int64_t now_ms() {
    struct timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
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
    // Several hosts (a primary and its standbys): libpq takes the first that
    // answers, which after a failover may be the old primary come back as a
    // standby, or a standby that is not yet promoted. Writes must go to the
    // primary only (docs/FLEET.md, "Failover").
    const auto several = [&](std::string_view key) {
        const char* v = find_value(given.get(), key);
        return v != nullptr && std::string_view(v).find(',') != std::string_view::npos;
    };
    if (several("host") || several("hostaddr")) {
        const char* tsa = find_value(given.get(), "target_session_attrs");
        const std::string_view want = tsa != nullptr ? tsa : "";
        if (want != "read-write" && want != "primary")
            return make_error(
                Errc::config,
                "store.conninfo names several hosts: add target_session_attrs=read-write, so that "
                "logins write to the primary only");
    }
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

// Every failure of a statement, classified (docs/FLEET.md, "Errors"):
// - PgBouncer's query_wait_timeout (no server connection free in time) and
//   the server's lock or statement timeouts: busy, deny, no failmode;
// - a read-only server (a standby, or a primary demoted by a failover while
//   this connection was open): io, and the connection is dropped so the
//   next call looks for the primary again;
// - a function or table missing: the schema is older than this host: config;
// - the connection gone otherwise: no server answered: unavailable;
// - anything else the server said: io.
Error Conn::failure(const char* what, const PGresult* r) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const std::string detail =
        one_line(r != nullptr && *PQresultErrorMessage(r) != '\0' ? PQresultErrorMessage(r)
                 : c_ != nullptr                                  ? PQerrorMessage(c_)
                                                                  : "not connected");
    const std::string msg = std::string("postgresql store: ") + what + ": " + detail;
    if (detail.find("query_wait_timeout") != std::string::npos) {
        drop();
        return make_error(Errc::busy, msg + " (the pooler had no server connection free)");
    }
    if (is_state(state, "25006")) {
        drop();
        return make_error(Errc::io, msg + " (a read-only server: a standby, or a failover under way)");
    }
    if (c_ == nullptr || PQstatus(c_) != CONNECTION_OK)
        return make_error(Errc::unavailable, msg + " (database unreachable)");
    if (is_timeout(state)) return make_error(Errc::busy, msg);
    if (is_state(state, "42P01") || is_state(state, "42883") ||
        is_state(state, "3F000"))  // table, function, schema
        return make_error(
            Errc::config,
            msg + " (the database schema is older than this chorus: run `chorusctl db migrate`)");
    return make_error(Errc::io, msg);
}

Status Conn::ensure() {
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
    return ok_status();
}

// Waits for the statement's result within the deadline. libpq itself would
// wait forever on a server that accepted the statement and went silent.
Result<PgResult> Conn::wait_for_result(const char* what) {
    const std::int64_t deadline = now_ms() + kStatementTimeoutMs;
    while (PQisBusy(c_) != 0) {
        const std::int64_t left = deadline - now_ms();
        struct pollfd pfd {
            PQsocket(c_), POLLIN, 0
        };
        const int n = left > 0 ? ::poll(&pfd, 1, static_cast<int>(left)) : 0;
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            // Dropped, not cancelled: PQcancel() opens a new connection and
            // waits, without a deadline, for the same silent server.
            drop();
            return make_error(Errc::busy, std::string("postgresql store: ") + what + ": no answer within " +
                                              std::to_string(kStatementTimeoutMs / 1000) + " s");
        }
        if (n < 0 || PQconsumeInput(c_) == 0) break;  // the failure shows in the result or the status
    }
    // Several statements sent at once (exec_script) give several results:
    // the answer is the first, unless one of them failed.
    PgResult first, failed;
    while (PGresult* r = PQgetResult(c_)) {
        const ExecStatusType st = PQresultStatus(r);
        const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!ok && !failed) {
            failed.reset(r);
        } else if (!first && ok) {
            first.reset(r);
        } else {
            PQclear(r);
        }
    }
    if (!failed && first) return first;
    return failure(what, failed.get());
}

Result<PgResult> Conn::exec(const char* sql, const std::vector<const char*>& params) {
    if (c_ == nullptr)
        return make_error(Errc::unavailable, "postgresql store: not connected (database unreachable)");
    if (PQsendQueryParams(c_, sql, static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr,
                          0) == 0)
        return failure("query failed", nullptr);
    return wait_for_result("query failed");
}

Status Conn::exec_script(const char* sql) {
    if (c_ == nullptr)
        return make_error(Errc::unavailable, "postgresql store: not connected (database unreachable)");
    if (PQsendQuery(c_, sql) == 0) return failure("statement failed", nullptr);
    return wait_for_result("statement failed").status();
}

}  // namespace chorus::pg
