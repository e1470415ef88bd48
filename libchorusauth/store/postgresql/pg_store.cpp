// SPDX-License-Identifier: BSD-2-Clause
// One row per user in chorus.users (pg_schema.cpp), reached only through
// SECURITY DEFINER functions (hosts have no table rights), and no session
// state at all, so that a pooler in transaction mode (PgBouncer) may hand
// each statement to another server connection (docs/FLEET.md):
//
//   begin(key)    SELECT * FROM chorus.user_read(key)      -- no lock held
//   put(...)      SELECT * FROM chorus.user_write(key, version read, ...):
//                 in its own transaction, takes a transaction-scoped advisory
//                 lock on the user, compares the version with the one read,
//                 writes the record and/or counters, commits; no row back:
//                 another host wrote in between (conflict: read again)
//   erase()       chorus.user_delete(key)
//   end(key)      nothing
//
// A verify is one read and one write: two round trips on a connection
// made once per PAM handle. Nothing is held while the user types. Keys are
// the library's encoded user names: ASCII, never starting with '.'.
#include "store/postgresql/pg_store.hpp"

#include <cstdlib>
#include <ctime>
#include <limits>

namespace chorus::pg {
namespace {

// Columns: record, last_step, failures, first_failure_at, locked_until,
// last_success_at, last_failure_at, version (NULL: no row), server_time.
constexpr const char* kReadSql = "SELECT * FROM chorus.user_read($1)";
// key, version read (NULL: insert), set_record, record, set_live, the six counters.
constexpr const char* kWriteSql =
    "SELECT * FROM chorus.user_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
constexpr const char* kDeleteSql = "SELECT chorus.user_delete($1)";
constexpr const char* kListSql = "SELECT * FROM chorus.user_list()";

std::int64_t to_i64(const char* s) {
    return std::strtoll(s, nullptr, 10);
}
std::string num(std::int64_t v) {
    return std::to_string(v);
}

}  // namespace

// A connection that broke since the last call (database restarted, pooler
// recycled) is re-opened once: a read changes nothing, so it is safe.
Result<PgResult> PgRows::read_row(const std::string& key) {
    const bool was_connected = conn_.connected();
    CHORUS_RETURN_IF_ERROR(conn_.ensure());
    auto r = conn_.exec(kReadSql, {key.c_str()});
    // Only a connection found broken is tried again; a server that timed
    // out answers busy, not a second wait.
    if (r.ok() || !was_connected || r.code() != Errc::unavailable) return r;
    CHORUS_RETURN_IF_ERROR(conn_.ensure());
    return conn_.exec(kReadSql, {key.c_str()});
}

Result<Row> PgRows::begin(const std::string& key) {
    const auto before = static_cast<std::int64_t>(std::time(nullptr));
    CHORUS_ASSIGN_OR_RETURN(PgResult r, read_row(key));
    const auto after = static_cast<std::int64_t>(std::time(nullptr));
    PGresult* p = r.get();
    if (PQntuples(p) != 1 || PQnfields(p) != 9)
        return make_error(Errc::corrupt, "postgresql store: chorus.user_read answered an unexpected shape");
    // The fleet's one clock: the database's, rounded to the second around
    // the round trip (docs/FLEET.md, "Clock").
    conn_.set_clock_offset(to_i64(PQgetvalue(p, 0, 8)) - (before + (after - before) / 2));
    Row row;
    if (PQgetisnull(p, 0, 7)) return row;  // no row for this user
    if (!PQgetisnull(p, 0, 0)) row.record.emplace(PQgetvalue(p, 0, 0));
    const std::int64_t step = to_i64(PQgetvalue(p, 0, 1));
    const std::int64_t fails = to_i64(PQgetvalue(p, 0, 2));
    row.version = to_i64(PQgetvalue(p, 0, 7));
    if (step < 0 || fails < 0 || fails > std::numeric_limits<std::uint32_t>::max() || row.version <= 0)
        return make_error(Errc::corrupt, "postgresql store: " + key + ": live state out of range");
    row.live.last_step = static_cast<std::uint64_t>(step);
    row.live.failures = static_cast<std::uint32_t>(fails);
    row.live.first_failure_at = to_i64(PQgetvalue(p, 0, 3));
    row.live.locked_until = to_i64(PQgetvalue(p, 0, 4));
    row.live.last_success_at = to_i64(PQgetvalue(p, 0, 5));
    row.live.last_failure_at = to_i64(PQgetvalue(p, 0, 6));
    return row;
}

Result<std::int64_t> PgRows::put(const std::string& key, const std::string* record,
                                 const chorus_store_live* live, std::int64_t expected) {
    if (live != nullptr &&
        live->last_step > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return make_error(Errc::invalid_argument, "time step out of range");
    const chorus_store_live l = live != nullptr ? *live : chorus_store_live{};
    const std::string v[] = {num(expected),         num(static_cast<std::int64_t>(l.last_step)),
                             num(l.failures),       num(l.first_failure_at),
                             num(l.locked_until),   num(l.last_success_at),
                             num(l.last_failure_at)};
    CHORUS_RETURN_IF_ERROR(conn_.ensure());
    CHORUS_ASSIGN_OR_RETURN(
        PgResult r,
        conn_.exec(kWriteSql,
                   {key.c_str(), expected > 0 ? v[0].c_str() : nullptr, record != nullptr ? "t" : "f",
                    record != nullptr ? record->c_str() : nullptr, live != nullptr ? "t" : "f", v[1].c_str(),
                    v[2].c_str(), v[3].c_str(), v[4].c_str(), v[5].c_str(), v[6].c_str()}));
    if (PQntuples(r.get()) != 1)
        return make_error(Errc::conflict,
                          "postgresql store: " + key + ": state changed by another host; read again");
    return to_i64(PQgetvalue(r.get(), 0, 0));
}

Status PgRows::erase(const std::string& key) {
    CHORUS_RETURN_IF_ERROR(conn_.ensure());
    return conn_.exec(kDeleteSql, {key.c_str()}).status();
}

Result<std::vector<std::string>> PgRows::list() {
    CHORUS_RETURN_IF_ERROR(conn_.ensure());
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn_.exec(kListSql));
    std::vector<std::string> keys;
    keys.reserve(static_cast<std::size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i) keys.emplace_back(PQgetvalue(r.get(), i, 0));
    return keys;
}

// The write an unknown account's wrong code pays instead of a failure count:
// the same read and committed write through the same functions, on a row no
// user name can name (encoded names never start with '.') and that list and
// status skip (it has no record). Without it an unknown account answered
// ~2 ms sooner (docs/PERFORMANCE.md).
Status PgRows::spend_like_a_write() {
    static const std::string kDecoy = ".timing";
    CHORUS_ASSIGN_OR_RETURN(Row row, begin(kDecoy));
    const chorus_store_live zero{};
    // A compare-and-set lost to another decoy at the same moment is no
    // error: the work was done either way.
    auto v = put(kDecoy, nullptr, &zero, row.version);
    if (!v.ok() && v.code() != Errc::conflict) return std::move(v).error();
    return ok_status();
}

}  // namespace chorus::pg
