// SPDX-License-Identifier: BSD-2-Clause
// One row per user in chorus.users (pg_schema.cpp), reached only through
// the SECURITY DEFINER functions of migration 2 (hosts have no table rights).
// A transaction is:
//
//   begin(user)   SELECT pg_advisory_lock(CHOR, hashtext(key))  -- session lock
//                 SELECT * FROM chorus.user_get(key)
//   put_*()       chorus.user_put_record / user_put_live: one UPDATE (or
//                 INSERT for a new user), autocommitted, so it is durable on
//                 return; guarded by "AND version = <read>", a compare-and-set
//                 on everything read under the lock; no row back: Errc::busy
//   erase()       chorus.user_delete(key)
//   ~txn          SELECT pg_advisory_unlock(...)
//
// The session-level advisory lock (not a transaction lock) keeps the user's
// state exclusive across several committed puts; a dropped connection
// releases it. Every chorus host takes it, so two logins of one user on two
// hosts serialize; the version guard catches any writer that did not (it
// fails with Errc::busy instead of losing an update). Keys are the
// encode_username() form, which is ASCII and is also the AAD of sealed keys.
#include "store/postgresql/pg_store.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <limits>

#include "store/postgresql/pg_conn.hpp"
#include "store/record_codec.hpp"
#include "util/seal.hpp"

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

struct Shared {
    Conn conn;
    SecretBytes seal_key;
    Shared(ConnParams p, SecretBytes k) : conn(std::move(p)), seal_key(std::move(k)) {}
};

std::int64_t to_i64(const char* s) {
    return std::strtoll(s, nullptr, 10);
}
std::string num(std::int64_t v) {
    return std::to_string(v);
}

class PgTxn final : public UserTxn {
public:
    PgTxn(std::shared_ptr<Shared> sh, std::string key) : sh_(std::move(sh)), key_(std::move(key)) {}

    ~PgTxn() override {
        auto r = sh_->conn.exec(kUnlockSql, {key_.c_str()});
        // Closing the session is what releases the lock if unlocking failed.
        if (!r.ok()) sh_->conn.drop();
    }

    Status load() {
        CHORUS_ASSIGN_OR_RETURN(PgResult r, sh_->conn.exec(kSelectSql, {key_.c_str()}));
        if (PQntuples(r.get()) == 0) return ok_status();
        PGresult* p = r.get();
        exists_ = true;
        if (!PQgetisnull(p, 0, 0)) record_.emplace(PQgetvalue(p, 0, 0));
        const std::int64_t step = to_i64(PQgetvalue(p, 0, 1));
        const std::int64_t fails = to_i64(PQgetvalue(p, 0, 2));
        if (step < 0 || fails < 0 || fails > std::numeric_limits<std::uint32_t>::max())
            return make_error(Errc::corrupt, "postgresql store: " + key_ + ": live state out of range");
        live_.last_step = static_cast<std::uint64_t>(step);
        live_.failures = static_cast<std::uint32_t>(fails);
        live_.first_failure_at = to_i64(PQgetvalue(p, 0, 3));
        live_.locked_until = to_i64(PQgetvalue(p, 0, 4));
        live_.last_success_at = to_i64(PQgetvalue(p, 0, 5));
        live_.last_failure_at = to_i64(PQgetvalue(p, 0, 6));
        version_ = PQgetvalue(p, 0, 7);
        return ok_status();
    }

    Result<std::optional<UserRecord>> record() override {
        if (!record_) return std::optional<UserRecord>{};
        CHORUS_ASSIGN_OR_RETURN(UserRecord rec, parse_record(record_->view()));
        if (rec.totp && rec.totp->sealed) {
            CHORUS_ASSIGN_OR_RETURN(rec.totp->secret, unseal(sh_->seal_key, rec.totp->secret, key_));
            rec.totp->sealed = false;
        } else if (rec.totp) {
            return make_error(Errc::corrupt, "postgresql store: " + key_ + ": TOTP key stored unsealed");
        }
        return std::optional<UserRecord>{std::move(rec)};
    }

    Result<LiveState> live() override { return live_; }

    Status put_record(const UserRecord& plain) override {
        UserRecord copy = plain;
        if (copy.totp && !copy.totp->sealed) {
            CHORUS_ASSIGN_OR_RETURN(copy.totp->secret, seal(sh_->seal_key, plain.totp->secret, key_));
            copy.totp->sealed = true;
        }
        CHORUS_ASSIGN_OR_RETURN(SecretString text, encode_record(copy));
        CHORUS_RETURN_IF_ERROR(write(kPutRecordSql, {key_.c_str(), text.c_str(), read_version()}));
        record_.emplace(text.view());
        return ok_status();
    }

    Status put_live(const LiveState& s) override {
        if (s.last_step > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return make_error(Errc::invalid_argument, "time step out of range");
        const std::string v[] = {num(static_cast<std::int64_t>(s.last_step)),
                                 num(s.failures),
                                 num(s.first_failure_at),
                                 num(s.locked_until),
                                 num(s.last_success_at),
                                 num(s.last_failure_at)};
        CHORUS_RETURN_IF_ERROR(
            write(kPutLiveSql, {key_.c_str(), v[0].c_str(), v[1].c_str(), v[2].c_str(), v[3].c_str(),
                                v[4].c_str(), v[5].c_str(), read_version()}));
        live_ = s;
        return ok_status();
    }

    Status erase() override {
        CHORUS_RETURN_IF_ERROR(sh_->conn.exec(kDeleteSql, {key_.c_str()}).status());
        exists_ = false;
        record_.reset();
        live_ = LiveState{};
        return ok_status();
    }

private:
    // The compare-and-set operand: the version read, or NULL (insert) when
    // there was no row.
    const char* read_version() const { return exists_ ? version_.c_str() : nullptr; }

    // One autocommitted statement that must touch exactly one row; records
    // the new version. No row: someone changed the state without our lock.
    Status write(const char* sql, const std::vector<const char*>& params) {
        CHORUS_ASSIGN_OR_RETURN(PgResult r, sh_->conn.exec(sql, params));
        if (PQntuples(r.get()) != 1)
            return make_error(Errc::busy,
                              "postgresql store: " + key_ + ": state changed concurrently; retry");
        version_ = PQgetvalue(r.get(), 0, 0);
        exists_ = true;
        return ok_status();
    }

    std::shared_ptr<Shared> sh_;
    std::string key_;
    bool exists_ = false;
    std::string version_;
    std::optional<SecretString> record_;  // record_codec text, TOTP key sealed
    LiveState live_;
};

class PgStore final : public Store {
public:
    explicit PgStore(std::shared_ptr<Shared> sh) : sh_(std::move(sh)) {}

    Result<std::unique_ptr<UserTxn>> begin(std::string_view user) override {
        CHORUS_ASSIGN_OR_RETURN(std::string key, encode_username(user));
        CHORUS_RETURN_IF_ERROR(lock(key));
        auto txn = std::make_unique<PgTxn>(sh_, std::move(key));  // unlocks on every path from here
        CHORUS_RETURN_IF_ERROR(txn->load());
        return std::unique_ptr<UserTxn>(std::move(txn));
    }

    std::int64_t clock_offset() const override { return sh_->conn.clock_offset(); }

    // The write an unknown account's wrong code pays instead of a failure
    // count (Store::spend_like_a_write): the same committed UPDATE through
    // the same function, on a row no user name can name (encoded names never
    // start with '.') and that list and status skip (it has no record).
    // Without it an unknown account answered ~2 ms sooner (docs/PERFORMANCE.md).
    Status spend_like_a_write() override {
        static constexpr const char* kDecoy = ".timing";
        CHORUS_RETURN_IF_ERROR(sh_->conn.ensure(true));
        CHORUS_ASSIGN_OR_RETURN(PgResult r, sh_->conn.exec(kSelectSql, {kDecoy}));
        const bool exists = PQntuples(r.get()) == 1;
        const std::string version = exists ? PQgetvalue(r.get(), 0, 7) : "";
        // A compare-and-set lost to another decoy at the same moment is no
        // error: the work was done either way.
        return sh_->conn
            .exec(kPutLiveSql, {kDecoy, "0", "0", "0", "0", "0", "0", exists ? version.c_str() : nullptr})
            .status();
    }

    Result<std::vector<std::string>> list_users() override {
        CHORUS_RETURN_IF_ERROR(sh_->conn.ensure(true));
        CHORUS_ASSIGN_OR_RETURN(PgResult r, sh_->conn.exec(kListSql));
        std::vector<std::string> users;
        for (int i = 0; i < PQntuples(r.get()); ++i) {
            auto u = decode_username(PQgetvalue(r.get(), i, 0));
            if (u.ok()) users.push_back(std::move(u).value());
        }
        std::sort(users.begin(), users.end());
        return users;
    }

private:
    // A connection that broke since the last login (database restarted) is
    // re-opened once: nothing has been read or written yet, so it is safe.
    Status lock(const std::string& key) {
        const bool was_connected = sh_->conn.connected();
        CHORUS_RETURN_IF_ERROR(sh_->conn.ensure(true));
        auto r = sh_->conn.exec(kLockSql, {key.c_str()});
        if (r.ok() || !was_connected || sh_->conn.connected()) return r.status();
        CHORUS_RETURN_IF_ERROR(sh_->conn.ensure(true));
        return sh_->conn.exec(kLockSql, {key.c_str()}).status();
    }

    std::shared_ptr<Shared> sh_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_pg_store(const StoreConfig& cfg, const SecretBytes& seal_key) {
    if (seal_key.size() != kSealKeyBytes)
        return make_error(Errc::config, "the postgresql store needs store.seal_key_file (the fleet key)");
    CHORUS_ASSIGN_OR_RETURN(ConnParams params, build_params(cfg.conninfo));
    auto sh = std::make_shared<Shared>(std::move(params), seal_key);
    return std::unique_ptr<Store>(new PgStore(std::move(sh)));
}

}  // namespace chorus::pg
