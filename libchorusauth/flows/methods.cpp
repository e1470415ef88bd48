// SPDX-License-Identifier: BSD-2-Clause
#include "flows/methods.hpp"

#include "flows/contact_proof.hpp"
#include "flows/method.hpp"

namespace chorus {

Status remove_method(Context& ctx, std::string_view user, std::string_view method) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec) return make_error(Errc::not_found, "no methods registered");
    const std::optional<Registration> what = parse_registration(method);
    if (!what)
        return make_error(Errc::invalid_argument,
                          "method must be app, phone, phone2, email, recovery or push");
    switch (*what) {
    case Registration::app:
        if (rec->recovery.empty() && rec->push_devices.empty())
            return make_error(
                Errc::permission,
                "the app is your only method: register another first, or ask an admin to unenroll you");
        rec->totp.reset();  // every app: "app" is the method (one app: flows/apps.hpp)
        rec->totp_name.clear();
        rec->more_apps.clear();
        break;
    case Registration::recovery:
        if (!rec->totp && rec->push_devices.empty())
            return make_error(Errc::permission, "recovery codes are your only method");
        rec->recovery.clear();
        break;
    case Registration::push:
        if (rec->push_devices.empty() && !rec->push_pending)
            return make_error(Errc::not_found, "no phone registered for push");
        if (!rec->totp && rec->recovery.empty())
            return make_error(Errc::permission, "the push phone is your only method: register another first");
        rec->push_devices.clear();
        rec->push_pending.reset();
        rec->push_requests.clear();
        break;
    case Registration::phone:
        rec->phone.clear();
        rec->phone_proven_at = 0;
        break;
    case Registration::phone2:
        rec->phone2.clear();
        rec->phone2_proven_at = 0;
        break;
    case Registration::email:
        rec->email.clear();
        rec->email_proven_at = 0;
        break;
    }
    settle_default_method(*rec);  // a default that sent to the removed phone is the app again
    CHORUS_RETURN_IF_ERROR(txn->put_record(*rec));
    ctx.log.logf(LogLevel::notice, "method %.*s removed for %.*s", static_cast<int>(method.size()),
                 method.data(), static_cast<int>(user.size()), user.data());
    return {};
}

Status set_default_method(Context& ctx, std::string_view user, std::string_view method) {
    const std::optional<Method> m = parse_method(method);
    if (!m)
        return make_error(Errc::invalid_argument,
                          "default method must be app, sms, call, sms2, call2 or push");
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    if (!rec) return make_error(Errc::not_found, "no methods registered");
    if (*m == Method::app && !rec->totp) return make_error(Errc::invalid_argument, "no app registered");
    if (*m == Method::push && rec->push_devices.empty())
        return make_error(Errc::invalid_argument, "no phone registered for push");
    if (channel_of(*m) && proven_phone(*rec, *m).empty())
        return make_error(Errc::invalid_argument, phone_slot_of(*m) == PhoneSlot::primary
                                                      ? "no proven phone registered"
                                                      : "no proven alternate phone registered");
    rec->default_method = std::string(method_name(*m));
    return txn->put_record(*rec);
}

}  // namespace chorus
