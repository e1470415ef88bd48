// SPDX-License-Identifier: BSD-2-Clause
#include "flows/reset.hpp"

#include "flows/push.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <vector>

#include "flows/deliver.hpp"
#include "flows/events.hpp"
#include "flows/contact_proof.hpp"
#include "flows/method.hpp"
#include "flows/login_other_method.hpp"
#include "flows/policy.hpp"
#include "flows/recovery_codes.hpp"
#include "flows/verify.hpp"

namespace chorus {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Only accounts with a second factor and a proven email can reset: a code
// never goes to an address nobody showed they read.
bool eligible(const UserRecord& rec) {
    return rec.has_method() && !proven_email(rec).empty();
}

// Opens user's state for a lookup. An account whose lock stays held past the
// store's timeout is left out (nullptr) instead of failing: any local user
// can stop a process (the setuid chorus-check) while it holds their own lock,
// and must not stall everyone else's reset. That account can't reset until
// it is free, and the requester sees what an unknown account gets.
Result<std::unique_ptr<UserTxn>> begin_unless_busy(Context& ctx, const std::string& user) {
    auto txn = ctx.store->begin(user);
    if (txn.ok() || txn.code() != Errc::busy) return txn;
    ctx.log.logf(LogLevel::info, "reset: %s skipped: its state is locked by another process", user.c_str());
    return std::unique_ptr<UserTxn>();
}

// The user whose registered email is `email`, or "". Reads every record:
// resets are rare, and an index would be one more file to keep consistent.
Result<std::string> user_by_email(Context& ctx, std::string_view email) {
    CHORUS_ASSIGN_OR_RETURN(std::vector<std::string> users, ctx.store->list_users());
    const std::string want = lower(email);
    for (const auto& u : users) {
        CHORUS_ASSIGN_OR_RETURN(auto txn, begin_unless_busy(ctx, u));
        if (!txn) continue;
        auto rec = txn->record();
        if (!rec.ok() || !*rec || lower(proven_email(**rec)) != want) continue;
        // State under a spelling that is not the account's own name (see
        // Account::name) never resets that account.
        CHORUS_ASSIGN_OR_RETURN(std::string own, canonical_name(u));
        if (own == u) return u;
        ctx.log.logf(LogLevel::warning, "reset: state of %s is not under the account's own name %s; ignored",
                     u.c_str(), own.c_str());
    }
    return std::string();
}

// One audit event per step. The metrics count what a reset came to: codes
// sent (started), passwords set (success), and each refusal; a step that
// only leads to the next is in the journal alone. The identifier typed is
// not reported (it may be a mistyped password); the account is, once known.
void audit(const Context& ctx, const ResetSession& s, const char* step, const char* outcome) {
    struct StepOutcome {
        std::string_view text;
        Outcome outcome;
        bool counted;
    };
    static constexpr StepOutcome kOutcomes[] = {
        {"eligible", Outcome::success, false},      {"not-eligible", Outcome::refused, true},
        {"not-sent", Outcome::failure, true},       {"locked", Outcome::locked, true},
        {"throttled", Outcome::refused, true},      {"sent", Outcome::started, true},
        {"wrong", Outcome::failure, true},          {"expired", Outcome::expired, true},
        {"accepted", Outcome::success, false},      {"refused", Outcome::failure, true},
        {"password-reset", Outcome::success, true},
    };
    Event e;
    e.kind = EventKind::reset;
    e.user = s.user;
    e.step = step;
    e.reason = outcome;
    for (const StepOutcome& o : kOutcomes)
        if (o.text == outcome) {
            e.outcome = o.outcome;
            e.counted = o.counted;
        }
    emit(ctx, e);
}

// Seconds until one more send fits resend_cooldown and the hourly and daily
// caps, given the earlier sends and the latest of them (0: it fits now).
// Drops sends older than a day. One rule for an account's stored sends and a
// session's in-memory ones.
std::int64_t send_wait(const ResetConfig& rc, std::vector<std::int64_t>& sends, std::int64_t last,
                       std::int64_t now) {
    std::erase_if(sends, [&](std::int64_t t) { return now - t >= kDay; });
    std::sort(sends.begin(), sends.end());
    std::int64_t wait = 0;
    if (last != 0 && now - last < rc.resend_cooldown) wait = rc.resend_cooldown - (now - last);
    // A full window opens again when the send `cap` places from the newest
    // leaves it.
    const auto until_room = [&](int cap, std::int64_t window) -> std::int64_t {
        const auto in_window =
            std::count_if(sends.begin(), sends.end(), [&](std::int64_t t) { return now - t < window; });
        if (in_window < cap) return 0;
        return std::max<std::int64_t>(1, sends[sends.size() - static_cast<std::size_t>(cap)] + window - now);
    };
    return std::max({wait, until_room(rc.max_sends_per_hour, kHour), until_room(rc.max_sends_per_day, kDay)});
}

}  // namespace

Result<ResetSession> reset_start(Context& ctx, std::string_view identifier) {
    ResetSession s;
    s.identifier = std::string(identifier.substr(0, 256));
    CHORUS_ASSIGN_OR_RETURN(auto ids, generate_recovery_codes(1));
    s.reset_id = std::string(ids[0].view());
    std::string user;
    if (identifier.find('@') != std::string_view::npos) {
        CHORUS_ASSIGN_OR_RETURN(user, user_by_email(ctx, identifier));
    } else if (encode_username(identifier).ok()) {
        CHORUS_ASSIGN_OR_RETURN(user, canonical_name(identifier));  // state is keyed on it
    }
    if (!user.empty()) {
        CHORUS_ASSIGN_OR_RETURN(auto txn, begin_unless_busy(ctx, user));
        std::optional<UserRecord> rec;
        if (txn) {
            CHORUS_ASSIGN_OR_RETURN(rec, txn->record());
        }
        if (rec && eligible(*rec)) s.user = user;
    }
    audit(ctx, s, "start", s.user.empty() ? "not-eligible" : "eligible");
    return s;
}

Status reset_send_code(Context& ctx, ResetSession& s, std::int64_t& wait) {
    const ResetConfig& rc = ctx.config.reset;
    const std::int64_t now = ctx.now();
    // What the requester is told about throttling comes from this session's
    // own requests only: they are the same whoever the identifier names.
    wait = send_wait(rc, s.sends, s.sends.empty() ? 0 : s.sends.back(), now);
    if (wait > 0) return make_error(Errc::rate_limited, "wait before asking for another code");
    s.sends.push_back(now);
    if (s.user.empty()) {
        audit(ctx, s, "send-code", "not-sent");
        return {};
    }
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(s.user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !eligible(*rec)) return {};
    PendingReset pending = rec->reset.value_or(PendingReset{});
    if (pending.locked_until > now) {
        wait = pending.locked_until - now;
        audit(ctx, s, "send-code", "locked");
        return make_error(Errc::locked, "too many wrong codes");
    }
    if (send_wait(rc, pending.sends, pending.last_sent_at, now) > 0) {
        // The account's limits across sessions hold (no mail), but the answer
        // is a success: a refusal here, which an unknown name never gets,
        // would tell a stranger which names can reset (a second session
        // inside the cooldown was enough). The session's previous code, if
        // any, stays valid.
        audit(ctx, s, "send-code", "throttled");
        return {};
    }
    CHORUS_ASSIGN_OR_RETURN(SecretString code, generate_numeric_code(6));
    CHORUS_ASSIGN_OR_RETURN(pending.code_hash, hash_code(code.view()));
    pending.reset_id = s.reset_id;
    pending.expires_at = now + rc.code_ttl;
    pending.last_sent_at = now;
    pending.sends.push_back(now);
    rec->reset = pending;
    CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));  // stored before it is sent
    SecretString body("Your password reset code is ");
    body.raw() += code.view();
    body.raw() += ". It is valid for " + std::to_string(rc.code_ttl / 60) +
                  " minutes.\nIf you did not ask to reset your password, ignore this message.\n";
    deliver_detached(ctx, Channel::email, std::string(proven_email(*rec)), "Your password reset code",
                     body.view());
    audit(ctx, s, "send-code", "sent");
    return {};
}

Status reset_check_code(Context& ctx, ResetSession& s, std::string_view code) {
    const ResetConfig& rc = ctx.config.reset;
    if (s.user.empty()) {
        // Same counting as a real account, kept in memory.
        if (++s.attempts >= rc.max_attempts) return make_error(Errc::locked, "too many wrong codes");
        audit(ctx, s, "check-code", "wrong");
        return make_error(Errc::bad_code, "wrong code");
    }
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(s.user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !rec->reset) return make_error(Errc::bad_code, "wrong code");
    PendingReset& pending = *rec->reset;
    const std::int64_t now = ctx.now();
    if (pending.locked_until > now) return make_error(Errc::locked, "too many wrong codes");
    const bool bound = pending.reset_id == s.reset_id && !pending.code_hash.empty();
    SecretString typed = normalize_code(code);
    const bool matches = bound && code_matches(pending.code_hash, typed.view());
    if (matches && now >= pending.expires_at) {
        audit(ctx, s, "check-code", "expired");
        return make_error(Errc::expired, "the code has expired");
    }
    if (matches) {
        pending.code_hash.clear();  // single use
        pending.attempts = 0;
        CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));
        s.email_verified = true;
        audit(ctx, s, "check-code", "accepted");
        return {};
    }
    pending.attempts += 1;
    const bool lock = pending.attempts >= rc.max_attempts;
    if (lock) {
        pending.locked_until = now + rc.lock_seconds;
        pending.attempts = 0;
        pending.code_hash.clear();
    }
    CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));  // counted before answering
    audit(ctx, s, "check-code", lock ? "locked" : "wrong");
    return lock ? make_error(Errc::locked, "too many wrong codes") : make_error(Errc::bad_code, "wrong code");
}

std::vector<std::string> reset_methods(Context& ctx, const ResetSession& s) {
    std::vector<std::string> methods;
    if (!s.email_verified || s.user.empty()) return methods;
    auto txn = ctx.store->begin(s.user);
    if (!txn.ok()) return methods;
    auto rec = (*txn)->record();
    if (!rec.ok() || !*rec) return methods;
    // "app" takes a code from the app or a recovery code, so an account with
    // only recovery codes left still has a way through.
    if ((*rec)->totp || !(*rec)->recovery.empty()) methods.emplace_back(method_name(Method::app));
    for (Method m : kSendingMethods)
        if (!proven_phone(**rec, m).empty() && channel_configured(ctx.config.delivery, *channel_of(m)))
            methods.emplace_back(method_name(m));
    if (push_usable(ctx, **rec)) methods.emplace_back(method_name(Method::push));
    return methods;
}

Status reset_second_factor(Context& ctx, ResetSession& s, std::string_view method, Prompter& p) {
    if (!s.email_verified || s.user.empty())
        return make_error(Errc::permission, "the emailed code comes first");
    const auto methods = reset_methods(ctx, s);
    if (std::find(methods.begin(), methods.end(), method) == methods.end())
        return make_error(Errc::invalid_argument, "that method is not registered");
    VerifyOutcome outcome;
    Status st;
    const std::optional<Method> m = parse_method(method);  // one of reset_methods(): known
    if (!m) return make_error(Errc::invalid_argument, "that method is not registered");
    switch (*m) {
    case Method::app: {
        // A recovery code is accepted here as at login: it is a second factor.
        CHORUS_ASSIGN_OR_RETURN(SecretString code,
                                p.ask("Code from your authenticator app (or a recovery code): ", false));
        st = verify_code(ctx, s.user, code.view(), outcome);
        break;
    }
    case Method::sms:
    case Method::sms2:
        st = sign_in_by_sms(ctx, s.user, true, p, outcome, *m);
        break;
    case Method::call:
    case Method::call2:
        st = sign_in_by_call(ctx, s.user, true, p, outcome, *m);
        break;
    case Method::push:
        st = push_second_factor(ctx, s.user, p, outcome);
        break;
    }
    audit(ctx, s, "second-factor", st.ok() ? "accepted" : "refused");
    if (!st.ok()) return st;
    s.second_verified = true;
    return {};
}

Status reset_finish(Context& ctx, ResetSession& s) {
    if (!s.email_verified || !s.second_verified || s.user.empty())
        return make_error(Errc::permission, "the reset was not proven");
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(s.user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec) return make_error(Errc::not_found, "the account has no state any more");
    rec->reset.reset();
    CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));
    CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
    live.failures = 0;
    live.first_failure_at = 0;
    live.locked_until = 0;
    CHORUS_RETURN_IF_ERROR(txn->put_live(live));
    audit(ctx, s, "finish", "password-reset");
    return {};
}

}  // namespace chorus
