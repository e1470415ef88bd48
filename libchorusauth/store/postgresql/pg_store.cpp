// SPDX-License-Identifier: BSD-2-Clause
// One row per user in chorus.users (pg_schema.cpp), reached only through
// the SECURITY DEFINER functions of migration 2 (hosts have no table rights).
// A user's turn is:
//
//   begin(key)    SELECT pg_advisory_lock(CHOR, hashtext(key))  -- session lock
//                 SELECT * FROM chorus.user_get(key)
//   put_*()       chorus.user_put_record / user_put_live: one UPDATE (or
//                 INSERT for a new user), autocommitted, so it is durable on
//                 return; guarded by "AND version = <read>", a compare-and-set
//                 on everything read under the lock; no row back: busy
//   erase()       chorus.user_delete(key)
//   end(key)      SELECT pg_advisory_unlock(...)
//
// The session-level advisory lock (not a transaction lock) keeps the user's
// state exclusive across several committed puts; a dropped connection
// releases it. Every chorus host takes it, so two logins of one user on two
// hosts serialize; the version guard catches any writer that did not (it
// fails with busy instead of losing an update). Keys are the library's
// encoded user names: ASCII, never starting with '.'.
#include "store/postgresql/pg_store.hpp"

#include <cstdlib>
#include <limits>

namespace chorus::pg {
namespace {

constexpr const char* kLockSql = "SELECT pg_advisory_lock(1128812370, hashtext($1))";  // 'CHOR'
constexpr const char* kUnlockSql = "SELECT pg_advisory_unlock(1128812370, hashtext($1))";
// Columns: record, last_step, failures, first_failure_at, locked_until,
// last_success_at, last_failure_at, version.
constexpr const char* kSelectSql = "SELECT * FROM chorus.user_get($1)";
// The put functions take the version read, NULL for "no row read" (insert).
constexpr const char* kPutRecordSql = "SELECT * FROM chorus.user_put_record($1, $2, $3)";
constexpr const char* kPutLiveSql = "SELECT * FROM chorus.user_put_live($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr const char* kDeleteSql = "SELECT chorus.user_delete($1)";
constexpr const char* kListSql = "SELECT * FROM chorus.user_list()";

std::int64_t to_i64(const char* s) {
    return std::strtoll(s, nullptr, 10);
}
std::string num(std::int64_t v) {
    return std::to_string(v);
}

}  // namespace

// A connection that broke since the last login (database restarted) is
// re-opened once: nothing has been read or written yet, so it is safe.
Status PgRows::lock(const std::string& key) {
    const bool was_connected = conn_.connected();
    CHORUS_RETURN_IF_ERROR(conn_.ensure(true));
    auto r = conn_.exec(kLockSql, {key.c_str()});
    if (r.ok() || !was_connected || conn_.connected()) return r.status();
    CHORUS_RETURN_IF_ERROR(conn_.ensure(true));
    return conn_.exec(kLockSql, {key.c_str()}).status();
}

Result<Row> PgRows::begin(const std::string& key) {
    CHORUS_RETURN_IF_ERROR(lock(key));
    auto read = [&]() -> Result<Row> {
        CHORUS_ASSIGN_OR_RETURN(PgResult r, conn_.exec(kSelectSql, {key.c_str()}));
        Row row;
        if (PQntuples(r.get()) == 0) return row;
        PGresult* p = r.get();
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
    };
    Result<Row> row = read();
    if (!row.ok()) end(key);  // the caller gets no turn to end
    return row;
}

void PgRows::end(const std::string& key) {
    auto r = conn_.exec(kUnlockSql, {key.c_str()});
    // Closing the session is what releases the lock if unlocking failed.
    if (!r.ok()) conn_.drop();
}

// One autocommitted statement that must touch exactly one row; returns the
// new version. No row: someone changed the state without our lock.
Result<std::int64_t> PgRows::write(const std::string& key, const char* sql,
                                   const std::vector<const char*>& params) {
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn_.exec(sql, params));
    if (PQntuples(r.get()) != 1)
        return make_error(Errc::busy, "postgresql store: " + key + ": state changed concurrently; retry");
    return to_i64(PQgetvalue(r.get(), 0, 0));
}

Result<std::int64_t> PgRows::put_record(const std::string& key, const std::string& record,
                                        std::int64_t expected) {
    const std::string v = num(expected);
    return write(key, kPutRecordSql, {key.c_str(), record.c_str(), expected > 0 ? v.c_str() : nullptr});
}

Result<std::int64_t> PgRows::put_live(const std::string& key, const chorus_store_live& live,
                                      std::int64_t expected) {
    const chorus_store_live& s = live;
    if (s.last_step > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return make_error(Errc::invalid_argument, "time step out of range");
    const std::string v[] = {num(static_cast<std::int64_t>(s.last_step)),
                             num(s.failures),
                             num(s.first_failure_at),
                             num(s.locked_until),
                             num(s.last_success_at),
                             num(s.last_failure_at),
                             num(expected)};
    return write(key, kPutLiveSql,
                 {key.c_str(), v[0].c_str(), v[1].c_str(), v[2].c_str(), v[3].c_str(), v[4].c_str(),
                  v[5].c_str(), expected > 0 ? v[6].c_str() : nullptr});
}

Status PgRows::erase(const std::string& key) {
    return conn_.exec(kDeleteSql, {key.c_str()}).status();
}

Result<std::vector<std::string>> PgRows::list() {
    CHORUS_RETURN_IF_ERROR(conn_.ensure(true));
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn_.exec(kListSql));
    std::vector<std::string> keys;
    keys.reserve(static_cast<std::size_t>(PQntuples(r.get())));
    for (int i = 0; i < PQntuples(r.get()); ++i) keys.emplace_back(PQgetvalue(r.get(), i, 0));
    return keys;
}

// The write an unknown account's wrong code pays instead of a failure count:
// the same committed UPDATE through the same function, on a row no user name
// can name (encoded names never start with '.') and that list and status
// skip (it has no record). Without it an unknown account answered ~2 ms
// sooner (docs/PERFORMANCE.md).
Status PgRows::spend_like_a_write() {
    static constexpr const char* kDecoy = ".timing";
    CHORUS_RETURN_IF_ERROR(conn_.ensure(true));
    CHORUS_ASSIGN_OR_RETURN(PgResult r, conn_.exec(kSelectSql, {kDecoy}));
    const bool exists = PQntuples(r.get()) == 1;
    const std::string version = exists ? PQgetvalue(r.get(), 0, 7) : "";
    // A compare-and-set lost to another decoy at the same moment is no
    // error: the work was done either way.
    return conn_.exec(kPutLiveSql, {kDecoy, "0", "0", "0", "0", "0", "0", exists ? version.c_str() : nullptr})
        .status();
}

}  // namespace chorus::pg
