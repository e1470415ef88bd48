// SPDX-License-Identifier: BSD-2-Clause
#include "flows/login.hpp"

#include "flows/events.hpp"
#include "flows/failmode.hpp"
#include "flows/login_delegated.hpp"
#include "flows/login_other_method.hpp"
#include "flows/method.hpp"
#include "flows/policy.hpp"
#include "flows/register.hpp"
#include "flows/verify.hpp"

namespace chorus {
namespace {

std::string minutes_text(std::int64_t seconds) {
    std::int64_t minutes = (seconds + 59) / 60;
    return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

// Words for a failed check. None of them tells an unknown account from a real one.
Status explain(Prompter& p, const Error& e, const VerifyOutcome& outcome) {
    switch (e.code) {
    case Errc::bad_code:
        return p.error("Wrong code.");
    case Errc::replay:
        return p.error("Code expired or already used. Wait for the next code.");
    case Errc::locked:
        return p.error("Too many attempts: try again in " + minutes_text(outcome.lock_remaining) + ".");
    default:
        return p.error("Verification is unavailable right now. Contact your administrator.");
    }
}

SecretString strip_spaces(std::string_view in) {
    SecretString out;
    for (char c : in)
        if (c != ' ' && c != '\t') out.raw() += c;
    return out;
}

// State written under the typed spelling (before state was keyed on the
// account's own name) would be passed over, and the account would look
// unregistered: refuse until an admin removes it (docs/STATE.md).
Status refuse_state_under_typed_name(Context& ctx, std::string_view typed, const std::string& user) {
    if (typed == user || !encode_username(typed).ok()) return {};
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(typed));
    auto rec = txn->record();
    if (rec.ok() && !*rec) return {};
    return make_error(Errc::config,
                      "state is stored under the name as typed, not under the account's own name " + user +
                          ": remove it with `chorusctl unenroll NAME --all` (docs/STATE.md)");
}

// What the audit event of a login says beyond its result.
struct LoginReport {
    std::string user;  // the account's own name; empty for an unknown account
    EventMethod method = EventMethod::none;
};

EventMethod event_method_of(Method m) {
    switch (m) {
    case Method::app:
        return EventMethod::app;
    case Method::sms:
    case Method::sms2:
        return EventMethod::sms;
    case Method::call:
    case Method::call2:
        return EventMethod::call;
    case Method::push:
        return EventMethod::push;
    }
    return EventMethod::none;
}

// One event per second-factor decision. A name that is no account is not
// reported: people type passwords into the user name prompt.
void report_login(const Context& ctx, const LoginReport& rep, const Result<LoginResult>& r) {
    Event e;
    e.user = rep.user;
    e.method = rep.method;
    if (rep.user.empty()) e.reason = "unknown account";
    if (!r.ok()) {
        set_refusal(e, r.code());
    } else if (*r == LoginResult::not_required) {
        return;  // no method: the account stage decides
    } else {
        e.outcome = Outcome::success;
        if (*r != LoginResult::verified) {  // let in while the store was unreachable
            const bool failmode = *r == LoginResult::failmode;
            e.kind = failmode ? EventKind::failmode : EventKind::break_glass;
            e.method = failmode ? EventMethod::none : EventMethod::recovery;
            e.reason = "state store unreachable";
        }
    }
    emit(ctx, e);
}

Result<LoginResult> authenticate(Context& ctx, std::string_view typed, Prompter& p,
                                 const std::optional<SecretString>& preset_code, LoginReport& rep) {
    auto acct = lookup_account(typed);
    if (!acct.ok() && acct.code() != Errc::not_found) return std::move(acct).error();
    const bool account_exists = acct.ok();
    // From here on the account's own name: another spelling the directory
    // resolves to it must find the same state (see Account::name).
    const std::string user = account_exists ? acct->name : std::string(typed);
    const std::vector<std::string>* known_groups = account_exists ? &acct->groups : nullptr;
    if (account_exists) rep.user = user;
    if (account_exists) CHORUS_RETURN_IF_ERROR(refuse_state_under_typed_name(ctx, typed, user));
    std::optional<UserRecord> snapshot;
    if (encode_username(user).ok()) {
        // Unknown accounts make the same store round trip before the prompt,
        // so an outage (a connect timeout) costs them the same time.
        // A snapshot (Store::peek_record): the check of the code after the
        // prompt is the login's one transaction on the user's state.
        Result<std::optional<UserRecord>> peeked = ctx.store->peek_record(user);
        if (!peeked.ok() && peeked.code() == Errc::unavailable) {
            if (account_exists && admit_by_failmode(ctx, user, *known_groups, p, peeked.error()))
                return LoginResult::failmode;
            // Anyone else is asked for a code as usual: it may be a
            // break-glass code, or the store may be back.
        } else if (account_exists) {
            if (!peeked.ok()) return std::move(peeked).error();
            if (!*peeked || !(*peeked)->has_method()) return LoginResult::not_required;
            snapshot = std::move(peeked).value();
        }
    }

    // A default method that sends something goes first (the seed's "we
    // texted you a code"); a code from the app still works at its prompt.
    std::optional<LeadingMethod> lead;
    if (snapshot && !preset_code) lead = start_default_method(ctx, user, *snapshot, p);

    SecretString answer;
    if (preset_code) {
        answer = *preset_code;
    } else {
        CHORUS_ASSIGN_OR_RETURN(answer, p.ask(lead ? leading_prompt(*lead) : "Verification code: ", false));
    }
    SecretString code = strip_spaces(answer.view());
    answer.clear();

    VerifyOutcome outcome;
    bool other_method = true;
    std::optional<Method> word_method;
    for (Method m : kSendingMethods) {
        const std::string_view word = other_method_word(ctx.config.enrollment, m);
        if (!word.empty() && code.view() == word) word_method = m;
    }
    // The leading method's answer, a word that picks another method, or a code.
    auto check_answer = [&]() -> Status {
        if (lead)
            if (std::optional<Status> settled =
                    settle_leading_answer(ctx, user, *lead, code.view(), outcome)) {
                rep.method = event_method_of(lead->method);
                return std::move(*settled);
            }
        if (word_method) rep.method = event_method_of(*word_method);
        if (word_method && *channel_of(*word_method) == Channel::sms)
            return sign_in_by_sms(ctx, user, account_exists, p, outcome, *word_method);
        if (word_method) return sign_in_by_call(ctx, user, account_exists, p, outcome, *word_method);
        other_method = false;
        return verify_code(ctx, user, code.view(), outcome);
    };
    Status st = check_answer();
    if (outcome.method == CodeMethod::totp) rep.method = EventMethod::app;
    if (outcome.method == CodeMethod::recovery) rep.method = EventMethod::recovery;
    if (!st.ok() && st.code() == Errc::unavailable)
        return authenticate_unreachable(ctx, user, known_groups, p, other_method ? "" : code.view(),
                                        st.error());
    if (!st.ok()) {
        // A failed delivery has told the user already ("Couldn't send the code").
        if (!(other_method && st.code() == Errc::io)) explain(p, st.error(), outcome).ignore();
        return std::move(st).error();
    }
    if (outcome.method == CodeMethod::recovery)
        p.info("Recovery code accepted. Make a new set with chorus-enroll when few are left.").ignore();
    return LoginResult::verified;
}

}  // namespace

Result<LoginResult> login_authenticate(Context& ctx, std::string_view typed, Prompter& p,
                                       const std::optional<SecretString>& preset_code) {
    if (ctx.delegated) return delegated_authenticate(ctx, typed, p, preset_code);  // the helper reports
    const LoginTiming timing(ctx);
    LoginReport rep;
    Result<LoginResult> r = authenticate(ctx, typed, p, preset_code, rep);
    report_login(ctx, rep, r);
    return r;
}

namespace {

// What the account stage of a user without a method came to, for its event.
struct AccountReport {
    std::string user;         // set once the policy decides (the user has no method)
    bool registered = false;  // registered at this login
};

Status account_stage(Context& ctx, std::string_view typed, Prompter& p, const AccountOptions& opts,
                     AccountReport& rep) {
    CHORUS_ASSIGN_OR_RETURN(Account acct, lookup_account(typed));
    const std::string& user = acct.name;  // state is keyed on the account's own name
    const std::vector<std::string>& groups = acct.groups;
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_RETURN_IF_ERROR(refuse_state_under_typed_name(ctx, typed, user));
    std::int64_t first_seen = 0;
    {
        auto began = ctx.store->begin(user);
        if (!began.ok() && began.code() == Errc::unavailable)
            return account_unreachable(ctx, user, groups, opts.after_break_glass, began.error());
        CHORUS_ASSIGN_OR_RETURN(auto txn, std::move(began));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        if (rec && rec->has_method()) {
            CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
            if (const std::int64_t left = lock_remaining(ctx, live); left > 0) {
                p.error("Too many attempts: try again in " + minutes_text(left) + ".").ignore();
                return make_error(Errc::locked, "account locked after failed codes");
            }
            return {};
        }
        first_seen = rec ? rec->first_seen : 0;
        UnenrolledVerdict probe = unenrolled_verdict(ctx, groups, first_seen);
        if (ctx.config.enrollment.policy == EnrollPolicy::grace && first_seen == 0 &&
            probe.obligation != Obligation::exempt) {
            // The grace clock starts at the first successful first factor.
            UserRecord fresh = rec ? std::move(*rec) : UserRecord{};
            fresh.first_seen = first_seen = ctx.now();
            CHORUS_RETURN_IF_ERROR(txn->put_record(fresh));
        }
    }  // the lock is not held while the user reads and types

    UnenrolledVerdict v = unenrolled_verdict(ctx, groups, first_seen);
    rep.user = user;
    if (opts.silent && v.obligation != Obligation::exempt) {
        // Registration shows a key; an application that asked for silence
        // cannot show it. The policy still decides: required means refused.
        ctx.log.logf(LogLevel::notice, "registration not offered: the application asked for silence");
        if (v.obligation == Obligation::must_register)
            return make_error(Errc::not_enrolled,
                              "no second factor registered, and registration needs messages");
        return {};
    }
    RegisterOptions ro;
    ro.qr = opts.qr;
    ro.only_if_unregistered = true;
    ro.offer_push = true;
    switch (v.obligation) {
    case Obligation::exempt:
        return {};
    case Obligation::may_register: {
        if (v.grace_left > 0) {
            std::int64_t days = (v.grace_left + 86399) / 86400;
            p.info("Two-step verification becomes required in " + std::to_string(days) +
                   (days == 1 ? " day." : " days.") + " You can set it up now.")
                .ignore();
        }
        ro.allow_skip = true;
        auto r = register_interactively(ctx, user, p, ro);
        rep.registered = r.ok() && *r == RegisterResult::registered;
        if (r.ok() && *r == RegisterResult::registered_meanwhile)
            return make_error(Errc::not_enrolled,
                              "registered in another session meanwhile");  // "log in again"
        if (!r.ok() && r.code() != Errc::bad_code)
            ctx.log.logf(LogLevel::info, "optional registration not completed: %s",
                         r.error().message.c_str());
        return {};  // registration was optional: the login goes on either way
    }
    case Obligation::must_register: {
        auto r = register_interactively(ctx, user, p, ro);
        if (r.ok() && *r == RegisterResult::registered_meanwhile) {
            // This login proved the password only; the method now registered wants its code.
            ctx.log.logf(LogLevel::notice,
                         "login refused: a method was registered in another session meanwhile");
            return make_error(Errc::not_enrolled, "registered in another session meanwhile");
        }
        if (!r.ok()) {
            p.error("Two-step verification must be set up before you can log in.").ignore();
            ctx.log.logf(LogLevel::notice, "login refused: registration required and not completed (%s)",
                         r.error().message.c_str());
            return make_error(Errc::not_enrolled, "registration required: " + r.error().message);
        }
        rep.registered = *r == RegisterResult::registered;
        return {};
    }
    }
    return make_error(Errc::internal, "unknown obligation");
}

}  // namespace

// A user without a method is the one case the auth stage does not report:
// let in without a second factor (the policy allows it, or registration
// happened here), or refused because registration is required.
Status login_account(Context& ctx, std::string_view typed, Prompter& p, const AccountOptions& opts) {
    if (ctx.delegated) return delegated_account(ctx, typed, p);
    const LoginTiming timing(ctx);
    AccountReport rep;
    Status st = account_stage(ctx, typed, p, opts, rep);
    if (!rep.user.empty()) {
        Event e;
        e.user = rep.user;
        e.outcome = st.ok() ? Outcome::success : Outcome::refused;
        if (rep.registered)
            e.reason = "registered at this login";
        else
            e.reason =
                st.ok() ? "no method registered; the enrollment policy lets in" : "registration required";
        emit(ctx, e);
    }
    return st;
}

Status login_password(Context& ctx, std::string_view typed, std::string_view gecos, std::string_view password,
                      PasswordMode mode, bool by_admin, Prompter& p) {
    if (by_admin && !ctx.config.password.enforce_for_root) return {};
    CHORUS_ASSIGN_OR_RETURN(Checklist cl, password_checklist(ctx, typed, gecos, password, mode));
    if (cl.ok()) return {};
    std::string text = "The new password does not meet these rules:";
    for (const auto& r : cl.rules)
        if (!r.met) text += "\n  - " + r.text;
    CHORUS_RETURN_IF_ERROR(p.error(text));
    return make_error(Errc::password_rules, "password does not meet the rules");
}

}  // namespace chorus
