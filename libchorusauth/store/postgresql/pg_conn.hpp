// SPDX-License-Identifier: BSD-2-Clause
// One libpq connection with RAII, parameterised statements and one mapping of
// libpq failures onto Errc: connection trouble is Errc::io (logins deny with
// PAM_AUTHINFO_UNAVAIL), lock and statement timeouts Errc::busy, a missing or
// old schema Errc::config.
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

// The schema version this build reads and writes (pg_schema.cpp).
inline constexpr int kSchemaVersion = 2;

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

    // Connects if not connected (or the connection broke), sets the session
    // timeouts and checks the schema version (check_schema: the store; the
    // admin commands connect without it).
    Status ensure(bool check_schema);
    // Runs one statement; params may hold nullptr for SQL NULL.
    Result<PgResult> exec(const char* sql, const std::vector<const char*>& params = {});
    // Several statements in one round trip, no parameters.
    Status exec_script(const char* sql);
    bool connected() const { return c_ != nullptr && PQstatus(c_) == CONNECTION_OK; }
    void drop();
    // The database's clock minus this host's, in seconds, as measured when
    // the connection was made (0 before the first one).
    std::int64_t clock_offset() const { return clock_offset_; }

private:
    Error failure(const char* what, const PGresult* r) const;
    Status set_up_session(bool check_schema);

    ConnParams params_;
    PGconn* c_ = nullptr;
    std::int64_t clock_offset_ = 0;
};

}  // namespace chorus::pg
