// SPDX-License-Identifier: BSD-2-Clause
// One libpq connection with RAII, parameterised statements with a deadline,
// and one mapping of server and pooler failures onto Errc (pg_conn.cpp,
// classify): only "no server answered" is Errc::unavailable, the one error
// failmode may treat as an outage; a server or pooler that answered and
// refused is Errc::io, a timeout Errc::busy, a missing or old schema
// Errc::config. The connection carries no session state (no SET): every
// statement is one call into a function that sets what it needs, so a pooler
// in transaction mode may run each on another server connection.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace chorus::pg {

struct ResultFree {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultFree>;

// The schema version this build creates (pg_schema.cpp). Hosts need at
// least kHostSchemaVersion (the functions they call); a newer database keeps
// serving them (rolling upgrades, docs/FLEET.md).
inline constexpr int kSchemaVersion = 3;
inline constexpr int kHostSchemaVersion = 3;

// How long one statement may take before the connection is dropped.
inline constexpr int kStatementTimeoutMs = 15000;

// Connection parameters: the admin's conninfo, plus connect_timeout=2 and
// application_name=chorus unless given, plus pinned values for everything
// libpq would otherwise take from the environment of the login process (sudo
// runs PAM with the invoking user's PGHOST, PGSERVICE, HOME...). Refuses a
// conninfo with a password (chorus.yaml is world-readable; use a root-only
// passfile or client certificates).
struct ConnParams {
    std::vector<std::string> keys;
    std::vector<std::string> values;
};
Result<ConnParams> build_params(const std::string& conninfo);

class Conn {
public:
    explicit Conn(ConnParams params) : params_(std::move(params)) {}
    ~Conn() { drop(); }
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;

    // Connects if not connected (or the connection broke). Nothing else is
    // sent: the first statement is the caller's.
    Status ensure();
    // Runs one statement; params may hold nullptr for SQL NULL. No answer
    // within kStatementTimeoutMs: the connection dropped, busy.
    Result<PgResult> exec(const char* sql, const std::vector<const char*>& params = {});
    // Several statements in one round trip, no parameters.
    Status exec_script(const char* sql);
    bool connected() const { return c_ != nullptr && PQstatus(c_) == CONNECTION_OK; }
    void drop();
    // The database's clock minus this host's, in seconds, as the last read
    // measured it (0 before the first one).
    std::int64_t clock_offset() const { return clock_offset_; }
    void set_clock_offset(std::int64_t offset) { clock_offset_ = offset; }

private:
    Error failure(const char* what, const PGresult* r);
    Result<PgResult> wait_for_result(const char* what);

    ConnParams params_;
    PGconn* c_ = nullptr;
    std::int64_t clock_offset_ = 0;
};

}  // namespace chorus::pg
