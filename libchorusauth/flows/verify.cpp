// SPDX-License-Identifier: BSD-2-Clause
#include "flows/verify.hpp"

#include <optional>

#include "flows/events.hpp"
#include "flows/recovery_codes.hpp"
#include "flows/retry.hpp"
#include "otp/hotp.hpp"

namespace chorus {
namespace {

// The TOTP check for a user without a key still runs over this key, so an
// unknown user costs the same HMAC work as a real one.
const std::uint8_t kDecoyKey[20] = {0x5a, 0x11, 0x93, 0x0c, 0x7e, 0x42, 0xd1, 0x08, 0x66, 0xab,
                                    0x3f, 0x90, 0x21, 0xcd, 0x74, 0x19, 0xe8, 0x05, 0xb6, 0x4d};

struct Match {
    std::optional<std::uint64_t> fresh_step;  // a step after the matching app's last one
    int app = -1;                             // whose: -1 the first app, i more_apps[i]
    bool replay = false;                      // some app matched, only at a spent step
    int recovery_index = -1;
};

// Every key is tried (none is skipped once one matched), so the work does
// not depend on which app the code came from.
Match match_code(const Context& ctx, const std::optional<UserRecord>& rec, const LiveState& live,
                 std::string_view code) {
    Match m;
    auto try_key = [&](const TotpKey& key, std::uint64_t last_step, int app) {
        const int window = key.window >= 0 ? key.window : ctx.config.otp.window;
        const auto step = totp_match(key.params, key.secret.data(), key.secret.size(), code,
                                     totp_step(ctx.now(), key.params.period), window);
        if (!step) return;
        if (*step <= last_step) {
            m.replay = true;
        } else if (!m.fresh_step) {
            m.fresh_step = step;
            m.app = app;
        }
    };
    if (rec && rec->totp) {
        try_key(*rec->totp, live.last_step, -1);
        for (std::size_t i = 0; i < rec->more_apps.size(); ++i)
            try_key(rec->more_apps[i].key, rec->more_apps[i].last_step, static_cast<int>(i));
    } else {
        const std::uint64_t step_now = totp_step(ctx.now(), ctx.config.otp.period);
        TotpParams decoy{ctx.config.otp.algorithm, ctx.config.otp.digits, ctx.config.otp.period};
        (void)totp_match(decoy, kDecoyKey, sizeof kDecoyKey, code, step_now, ctx.config.otp.window);
    }
    if (rec) {
        SecretString normalized = normalize_code(code);
        m.recovery_index = find_code(rec->recovery, normalized.view());
    }
    return m;
}

// Clears a lockout or a failure streak that has run its course (or that a
// wrong clock dated in the future: see lock_remaining).
void expire_failures(const Context& ctx, LiveState& live) {
    const std::int64_t now = ctx.now();
    if (live.locked_until != 0 && lock_remaining(ctx, live) == 0) {
        live.locked_until = 0;
        live.failures = 0;
        live.first_failure_at = 0;
    }
    if (live.failures > 0 && (live.first_failure_at < now - ctx.config.lockout.failure_window ||
                              live.first_failure_at > now + kClockSlack)) {
        live.failures = 0;
        live.first_failure_at = 0;
    }
}

// Records one failure; returns the lock length if this failure locks the user.
std::int64_t count_failure(const Context& ctx, LiveState& live) {
    const std::int64_t now = ctx.now();
    if (live.failures == 0) live.first_failure_at = now;
    live.failures += 1;
    live.last_failure_at = now;
    if (live.failures >= static_cast<std::uint32_t>(ctx.config.lockout.max_failures)) {
        live.locked_until = now + ctx.config.lockout.lock_seconds;
        return ctx.config.lockout.lock_seconds;
    }
    return 0;
}

void count_success(const Context& ctx, LiveState& live) {
    live.failures = 0;
    live.first_failure_at = 0;
    live.last_success_at = ctx.now();
}

// Expires an old lockout, then refuses while one is running.
Status refuse_if_locked(const Context& ctx, LiveState& live, VerifyOutcome& outcome) {
    expire_failures(ctx, live);
    if (std::int64_t left = lock_remaining(ctx, live); left > 0) {
        outcome.lock_remaining = left;
        return make_error(Errc::locked, "too many failed attempts");
    }
    return {};
}

// Counts a failure durably, then answers `otherwise`, or locked when this
// failure was one too many.
Status fail_and_count(const Context& ctx, std::string_view user, UserTxn& txn, LiveState& live,
                      VerifyOutcome& outcome, Error otherwise) {
    const std::int64_t locked_for = count_failure(ctx, live);
    CHORUS_RETURN_IF_ERROR(txn.put_live(live));
    if (locked_for > 0) {
        const std::string why = std::to_string(ctx.config.lockout.max_failures) + " failed attempts";
        Event locked;
        locked.kind = EventKind::lockout;
        locked.outcome = Outcome::locked;
        locked.user = user;
        locked.reason = why;
        emit(ctx, locked);
        outcome.lock_remaining = locked_for;
        return make_error(Errc::locked, "too many failed attempts");
    }
    return otherwise;
}

}  // namespace

std::int64_t lock_remaining(const Context& ctx, const LiveState& live) {
    const std::int64_t now = ctx.now();
    if (live.locked_until <= now) return 0;
    // Compared without now + lock_seconds, which a hostile value could overflow.
    const std::int64_t left = live.locked_until - now;
    return left > ctx.config.lockout.lock_seconds + kClockSlack ? 0 : left;
}

namespace {

// One reading of the user's state and the write it leads to. Errc::conflict
// when another writer came in between (nothing of ours was written).
Status verify_once(Context& ctx, std::string_view user, std::string_view code, VerifyOutcome& outcome) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !rec->has_method()) {
        (void)match_code(ctx, std::nullopt, LiveState{}, code);
        ctx.store->spend_like_a_write().ignore();  // the cost of a real failure's write
        return make_error(Errc::bad_code, "wrong code");
    }
    CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
    CHORUS_RETURN_IF_ERROR(refuse_if_locked(ctx, live, outcome));

    Match m = match_code(ctx, rec, live, code);
    if (m.fresh_step) {
        // The compare-and-set, under the user lock: the first app's step
        // lives in the live state, a further app's in the record.
        count_success(ctx, live);
        outcome.method = CodeMethod::totp;
        if (m.app < 0) {
            live.last_step = *m.fresh_step;
            return txn->put_live(live);
        }
        rec->more_apps[static_cast<std::size_t>(m.app)].last_step = *m.fresh_step;
        return txn->put_both(*rec, live);
    }
    if (!m.replay && m.recovery_index >= 0) {
        rec->recovery.erase(rec->recovery.begin() + m.recovery_index);
        count_success(ctx, live);
        // One write: the code is spent exactly when the login is counted.
        CHORUS_RETURN_IF_ERROR(txn->put_both(*rec, live));
        outcome.method = CodeMethod::recovery;
        ctx.log.logf(LogLevel::notice, "recovery code used; %zu left", rec->recovery.size());
        return {};
    }
    // A replayed code counts as a failure too: to an attacker it is a guess.
    return fail_and_count(ctx, user, *txn, live, outcome,
                          m.replay ? make_error(Errc::replay, "code expired or already used")
                                   : make_error(Errc::bad_code, "wrong code"));
}

Status settle_once(Context& ctx, std::string_view user, bool matched, VerifyOutcome& outcome) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !rec->has_method()) return make_error(Errc::bad_code, "wrong code");
    CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
    CHORUS_RETURN_IF_ERROR(refuse_if_locked(ctx, live, outcome));
    if (!matched)
        return fail_and_count(ctx, user, *txn, live, outcome, make_error(Errc::bad_code, "wrong code"));
    count_success(ctx, live);
    return txn->put_live(live);
}

}  // namespace

Status verify_code(Context& ctx, std::string_view user, std::string_view code, VerifyOutcome& outcome) {
    outcome = {};
    auto enc = encode_username(user);
    if (!enc.ok() || code.size() > kMaxCodeInput) {
        // Same work as a real miss, then the same answer.
        (void)match_code(ctx, std::nullopt, LiveState{}, code.substr(0, kMaxCodeInput));
        ctx.store->spend_like_a_write().ignore();
        if (!enc.ok()) ctx.log.logf(LogLevel::notice, "refused a code for an invalid user name");
        return make_error(Errc::bad_code, "wrong code");
    }
    return retry_on_conflict([&] { return verify_once(ctx, user, code, outcome); });
}

Status settle_out_of_band(Context& ctx, std::string_view user, bool matched, VerifyOutcome& outcome) {
    return retry_on_conflict([&] { return settle_once(ctx, user, matched, outcome); });
}

void report_code_check(const Context& ctx, std::string_view user, const Status& st,
                       const VerifyOutcome& outcome) {
    Event e;
    e.user = user;
    if (outcome.method == CodeMethod::totp) e.method = EventMethod::app;
    if (outcome.method == CodeMethod::recovery) e.method = EventMethod::recovery;
    if (st.ok())
        e.outcome = Outcome::success;
    else
        set_refusal(e, st.code());
    emit(ctx, e);
}

}  // namespace chorus
