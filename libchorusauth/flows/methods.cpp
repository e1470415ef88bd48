// SPDX-License-Identifier: BSD-2-Clause
#include "flows/methods.hpp"

#include "flows/deliver.hpp"
#include "flows/method.hpp"
#include "flows/recovery_codes.hpp"

namespace chorus {

Status remove_method(Context& ctx, std::string_view user, std::string_view method) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec) return make_error(Errc::not_found, "no methods registered");
    const std::optional<Registration> what = parse_registration(method);
    if (!what) return make_error(Errc::invalid_argument, "method must be app, phone, email or recovery");
    switch (*what) {
    case Registration::app:
        if (rec->recovery.empty())
            return make_error(
                Errc::permission,
                "the app is your only method: register another first, or ask an admin to unenroll you");
        rec->totp.reset();
        break;
    case Registration::recovery:
        if (!rec->totp) return make_error(Errc::permission, "recovery codes are your only method");
        rec->recovery.clear();
        break;
    case Registration::phone:
        rec->phone.clear();
        rec->default_method = std::string(method_name(Method::app));  // sms and call need the phone
        break;
    case Registration::email:
        rec->email.clear();
        break;
    }
    CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));
    ctx.log.logf(LogLevel::notice, "method %.*s removed for %.*s", static_cast<int>(method.size()),
                 method.data(), static_cast<int>(user.size()), user.data());
    return {};
}

Status set_default_method(Context& ctx, std::string_view user, std::string_view method) {
    const std::optional<Method> m = parse_method(method);
    if (!m) return make_error(Errc::invalid_argument, "default method must be app, sms or call");
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec) return make_error(Errc::not_found, "no methods registered");
    if (*m == Method::app && !rec->totp) return make_error(Errc::invalid_argument, "no app registered");
    if (channel_of(*m) && rec->phone.empty())
        return make_error(Errc::invalid_argument, "no phone registered");
    rec->default_method = std::string(method_name(*m));
    return txn->put_record(*rec);
}

Status verify_contact(Context& ctx, std::string_view channel, std::string_view to, Prompter& p) {
    Channel ch;
    if (channel == "sms") {
        if (!channel_configured(ctx.config.delivery, Channel::sms))
            return make_error(Errc::unsupported, "SMS delivery is not configured");
        ch = Channel::sms;
    } else if (channel == "email") {
        if (!channel_configured(ctx.config.delivery, Channel::email))
            return make_error(Errc::unsupported, "email delivery is not configured");
        ch = Channel::email;
    } else {
        return make_error(Errc::invalid_argument, "channel must be sms or email");
    }
    CHORUS_ASSIGN_OR_RETURN(SecretString code, generate_numeric_code(6));
    SecretString body("Your confirmation code is ");
    body.raw() += code.view();
    body.raw() += ".";
    CHORUS_RETURN_IF_ERROR(deliver(ctx, ch, to, "Your confirmation code", body.view()));
    for (int attempt = 0; attempt < 3; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer,
                                p.ask("Enter the code we sent to " + std::string(to) + ": ", true));
        if (ct_equal(answer.view(), code.view())) return {};
        CHORUS_RETURN_IF_ERROR(p.error("That is not the code we sent."));
    }
    return make_error(Errc::bad_code, "confirmation code not entered");
}

}  // namespace chorus
