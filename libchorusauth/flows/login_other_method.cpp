// SPDX-License-Identifier: BSD-2-Clause
#include "flows/login_other_method.hpp"

#include <unistd.h>

#include "flows/contact_proof.hpp"
#include "flows/recovery_codes.hpp"

namespace chorus {
namespace {

// The proven phone `m` reaches, or "" (no record, no such phone, not proven,
// unknown account).
Result<std::string> phone_of(Context& ctx, std::string_view user, bool account_exists, Method m) {
    if (!account_exists || !encode_username(user).ok()) return std::string();
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !rec->has_method()) return std::string();
    return std::string(proven_phone(*rec, m));
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "this computer";
    return buf;
}

std::string call_message(std::string_view user) {
    return "Press the pound key to approve the sign-in of " + std::string(user) + " on " + host_name() + ".";
}

Status send_code(Context& ctx, std::string_view phone, const SecretString& code) {
    SecretString body("Your verification code is ");
    body.raw() += code.view();
    body.raw() += ". Nobody from support will ask you for it.";
    return deliver(ctx, Channel::sms, phone, "", body.view());
}

}  // namespace

Status sign_in_by_sms(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                      VerifyOutcome& outcome, Method m) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(std::string phone, phone_of(ctx, user, account_exists, m));
    CHORUS_ASSIGN_OR_RETURN(SecretString code, generate_numeric_code(6));
    const bool can_send = !phone.empty() && channel_configured(ctx.config.delivery, Channel::sms);
    if (can_send) {
        Status sent = send_code(ctx, phone, code);
        if (!sent.ok()) {
            ctx.log.logf(LogLevel::error, "SMS code not sent: %s", sent.error().message.c_str());
            // The login stays denied; the user learns to pick another method.
            p.error("Couldn't send the code. Try another method.").ignore();
            return make_error(Errc::io, "the code could not be sent");
        }
    }
    CHORUS_RETURN_IF_ERROR(p.info(m == Method::sms2
                                      ? "If an alternate phone is registered for SMS, a code is on its way."
                                      : "If a phone number is registered for SMS, a code is on its way."));
    CHORUS_ASSIGN_OR_RETURN(SecretString answer, p.ask("Code from the text message: ", false));
    if (!can_send) {
        if (account_exists && encode_username(user).ok())
            return settle_out_of_band(ctx, user, false, outcome);
        return make_error(Errc::bad_code, "wrong code");
    }
    const bool matched = ct_equal(answer.view(), code.view());
    return settle_out_of_band(ctx, user, matched, outcome);
}

Status sign_in_by_call(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                       VerifyOutcome& outcome, Method m) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(std::string phone, phone_of(ctx, user, account_exists, m));
    CHORUS_RETURN_IF_ERROR(p.info(m == Method::call2
                                      ? "If an alternate phone is registered, we are calling it "
                                        "now. Answer and press # to approve."
                                      : "If a phone number is registered, we are calling it now. "
                                        "Answer and press # to approve."));
    if (phone.empty() || !channel_configured(ctx.config.delivery, Channel::voice)) {
        if (account_exists && encode_username(user).ok())
            return settle_out_of_band(ctx, user, false, outcome);
        return make_error(Errc::bad_code, "call not approved");
    }
    Status approved = deliver(ctx, Channel::voice, phone, "", call_message(user));
    if (!approved.ok())
        ctx.log.logf(LogLevel::notice, "voice approval not given: %s", approved.error().message.c_str());
    return settle_out_of_band(ctx, user, approved.ok(), outcome);
}

namespace {

// Push as the default: the request goes out before the prompt, whose Enter
// starts the wait. (sshd shows messages only with the next prompt, so the
// number has to be on screen before the login starts waiting.)
std::optional<LeadingMethod> start_push(Context& ctx, std::string_view user, Prompter& p) {
    auto ticket = push_request_start(ctx, user);
    if (!ticket.ok()) {
        ctx.log.logf(LogLevel::notice, "push request not sent: %s", ticket.error().message.c_str());
        if (ticket.code() == Errc::rate_limited)
            p.error("Too many requests to your phone. Type a code instead, or wait a few minutes.").ignore();
        return std::nullopt;
    }
    LeadingMethod lead;
    lead.method = Method::push;
    lead.push = std::move(ticket).value();
    if (!p.info("Approve the sign-in on your phone: choose " + lead.push.answer + ".").ok()) {
        (void)push_request_finish(ctx, lead.push, false);
        return std::nullopt;
    }
    return lead;
}

}  // namespace

std::optional<LeadingMethod> start_default_method(Context& ctx, std::string_view user, const UserRecord& rec,
                                                  Prompter& p) {
    const std::optional<Method> m = parse_method(rec.default_method);
    if (m == Method::push && push_usable(ctx, rec)) return start_push(ctx, user, p);
    if (!m || !channel_of(*m) || !rec.has_method()) return std::nullopt;
    const std::string_view phone = proven_phone(rec, *m);
    if (phone.empty() || !channel_configured(ctx.config.delivery, *channel_of(*m))) return std::nullopt;
    LeadingMethod lead;
    lead.method = *m;
    if (*channel_of(*m) == Channel::sms) {
        auto code = generate_numeric_code(6);
        if (!code.ok()) return std::nullopt;
        lead.sms_code = std::move(code).value();
        if (Status sent = send_code(ctx, phone, lead.sms_code); !sent.ok()) {
            ctx.log.logf(LogLevel::error, "SMS code not sent: %s", sent.error().message.c_str());
            p.error("Couldn't send the code by SMS.").ignore();
            return std::nullopt;
        }
        if (!p.info("A code is on its way to your phone by SMS.").ok()) return std::nullopt;
        return lead;
    }
    auto call = deliver_in_background(ctx, Channel::voice, phone, "", call_message(user));
    if (!call.ok()) {
        ctx.log.logf(LogLevel::error, "call not placed: %s", call.error().message.c_str());
        return std::nullopt;
    }
    lead.call = std::move(call).value();
    if (!p.info("We are calling your phone now. Answer and press # to approve.").ok()) return std::nullopt;
    return lead;
}

std::string leading_prompt(const LeadingMethod& lead) {
    if (lead.method == Method::push) return "Press Enter once you approved, or type a code: ";
    if (*channel_of(lead.method) == Channel::sms) return "Code from the text message or your app: ";
    return "Press Enter once you pressed # on the call, or type a code from your app: ";
}

std::optional<Status> settle_leading_answer(Context& ctx, std::string_view user, LeadingMethod& lead,
                                            std::string_view answer, VerifyOutcome& outcome) {
    outcome = {};
    if (lead.method == Method::push) {
        if (!answer.empty()) {
            (void)push_request_finish(ctx, lead.push, false);  // a code instead: the request is withdrawn
            return std::nullopt;
        }
        return settle_push_answer(ctx, user, push_request_finish(ctx, lead.push), outcome);
    }
    if (*channel_of(lead.method) == Channel::sms) {
        if (!ct_equal(answer, lead.sms_code.view())) return std::nullopt;
        return settle_out_of_band(ctx, user, true, outcome);
    }
    if (!answer.empty()) {
        lead.call.cancel();
        return std::nullopt;
    }
    Status approved = lead.call.wait();
    if (!approved.ok())
        ctx.log.logf(LogLevel::notice, "voice approval not given: %s", approved.error().message.c_str());
    return settle_out_of_band(ctx, user, approved.ok(), outcome);
}

}  // namespace chorus
