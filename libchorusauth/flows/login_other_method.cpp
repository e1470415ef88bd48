// SPDX-License-Identifier: BSD-2-Clause
#include "flows/login_other_method.hpp"

#include <unistd.h>

#include "flows/deliver.hpp"
#include "flows/recovery_codes.hpp"

namespace chorus {
namespace {

// The registered phone, or "" (no record, no phone, unknown account).
Result<std::string> phone_of(Context& ctx, std::string_view user, bool account_exists) {
    if (!account_exists || !encode_username(user).ok()) return std::string();
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec || !rec->has_method()) return std::string();
    return rec->phone;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "this computer";
    return buf;
}

}  // namespace

Status sign_in_by_sms(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                      VerifyOutcome& outcome) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(std::string phone, phone_of(ctx, user, account_exists));
    CHORUS_ASSIGN_OR_RETURN(SecretString code, generate_numeric_code(6));
    const bool can_send = !phone.empty() && channel_configured(ctx.config.delivery, Channel::sms);
    if (can_send) {
        SecretString body("Your verification code is ");
        body.raw() += code.view();
        body.raw() += ". Nobody from support will ask you for it.";
        Status sent = deliver(ctx, Channel::sms, phone, "", body.view());
        if (!sent.ok()) {
            ctx.log.logf(LogLevel::error, "SMS code not sent: %s", sent.error().message.c_str());
            // The login stays denied; the user learns to pick another method.
            p.error("Couldn't send the code. Try another method.").ignore();
            return make_error(Errc::io, "the code could not be sent");
        }
    }
    CHORUS_RETURN_IF_ERROR(p.info("If a phone number is registered for SMS, a code is on its way."));
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
                       VerifyOutcome& outcome) {
    outcome = {};
    CHORUS_ASSIGN_OR_RETURN(std::string phone, phone_of(ctx, user, account_exists));
    CHORUS_RETURN_IF_ERROR(
        p.info("If a phone number is registered, we are calling it now. Answer and press # to approve."));
    if (phone.empty() || !channel_configured(ctx.config.delivery, Channel::voice)) {
        if (account_exists && encode_username(user).ok())
            return settle_out_of_band(ctx, user, false, outcome);
        return make_error(Errc::bad_code, "call not approved");
    }
    std::string message =
        "Press the pound key to approve the sign-in of " + std::string(user) + " on " + host_name() + ".";
    Status approved = deliver(ctx, Channel::voice, phone, "", message);
    if (!approved.ok())
        ctx.log.logf(LogLevel::notice, "voice approval not given: %s", approved.error().message.c_str());
    return settle_out_of_band(ctx, user, approved.ok(), outcome);
}

}  // namespace chorus
