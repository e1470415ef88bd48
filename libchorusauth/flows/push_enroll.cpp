// SPDX-License-Identifier: BSD-2-Clause
#include "flows/push_enroll.hpp"

#include <chrono>
#include <thread>

#include "flows/push.hpp"
#include "flows/retry.hpp"
#include "push/protocol.hpp"
#include "store/record_text.hpp"

namespace chorus {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(1000);

// Polls until the app has registered its key for the pending serial.
Status wait_for_app(Context& ctx, std::string_view user, const std::string& serial) {
    for (;;) {
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, ctx.store->peek_record(user));
        if (!rec || !rec->push_pending || rec->push_pending->serial != serial)
            return make_error(Errc::conflict, "the registration was replaced in another session");
        if (!rec->push_pending->app_key.empty()) return ok_status();
        if (ctx.now() >= rec->push_pending->expires_at)
            return make_error(Errc::expired, "the app did not register in time");
        std::this_thread::sleep_for(kPollInterval);
    }
}

// The approved phone becomes the user's push device; push becomes the
// default method, as the user just chose it.
Status save_device(Context& ctx, std::string_view user, const std::string& serial,
                   bool only_if_unregistered) {
    return retry_on_conflict([&]() -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        if (!rec || !rec->push_pending || rec->push_pending->serial != serial ||
            rec->push_pending->app_key.empty())
            return make_error(Errc::conflict, "the registration was replaced in another session");
        if (only_if_unregistered && rec->has_method())
            return make_error(Errc::permission, "a method was registered in another session meanwhile");
        PushDevice d;
        d.serial = serial;
        d.app_key = rec->push_pending->app_key;
        d.enrolled_at = ctx.now();
        rec->push_devices.clear();  // one phone for push: a new one replaces the old
        rec->push_devices.push_back(std::move(d));
        rec->push_pending.reset();
        std::erase_if(rec->push_requests, [&](const PushRequest& r) { return r.serial != serial; });
        rec->default_method = "push";
        if (rec->enrolled_at == 0) rec->enrolled_at = ctx.now();
        return txn->put_record(*rec);
    });
}

}  // namespace

Result<std::string> push_enroll_begin(Context& ctx, std::string_view user) {
    if (!ctx.config.push.enabled) return make_error(Errc::unsupported, "push approval is not enabled");
    CHORUS_ASSIGN_OR_RETURN(std::string serial, make_push_serial(user));
    CHORUS_ASSIGN_OR_RETURN(std::string credential, make_push_credential());
    Status st = retry_on_conflict([&]() -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        UserRecord r = rec ? std::move(*rec) : UserRecord{};
        PushEnrollment p;
        p.serial = serial;
        p.credential_hash = sha256_hex(credential);
        p.expires_at = ctx.now() + std::int64_t{60} * ctx.config.push.enroll_minutes;
        r.push_pending = std::move(p);
        return txn->put_record(r);
    });
    if (!st.ok()) return std::move(st).error();
    ctx.log.logf(LogLevel::info, "push registration started");
    return push_enrollment_uri(ctx.config.push, serial, credential,
                               ctx.config.push.title + ":" + std::string(user));
}

Status push_enroll_finish(Context& ctx, std::string_view user, Prompter& p, bool only_if_unregistered) {
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, ctx.store->peek_record(user));
    if (!rec || !rec->push_pending) return make_error(Errc::not_found, "no push registration started");
    const std::string serial = rec->push_pending->serial;
    CHORUS_RETURN_IF_ERROR(p.info("Waiting for the app to register..."));
    CHORUS_RETURN_IF_ERROR(wait_for_app(ctx, user, serial));
    CHORUS_ASSIGN_OR_RETURN(PushTicket t, push_request_start(ctx, user, true));
    auto typed = p.ask("The app registered. Approve the test request on your phone: choose " + t.answer +
                           ". Then press Enter: ",
                       true);
    if (!typed.ok()) {
        (void)push_request_finish(ctx, t, false);
        return std::move(typed).error();
    }
    CHORUS_ASSIGN_OR_RETURN(PushAnswer answer, push_request_finish(ctx, t));
    if (answer != PushAnswer::accepted) {
        ctx.log.logf(LogLevel::notice, "push registration: the test request was not approved");
        return make_error(Errc::bad_code, "the test request was not approved");
    }
    CHORUS_RETURN_IF_ERROR(save_device(ctx, user, serial, only_if_unregistered));
    ctx.log.logf(LogLevel::notice, "push phone registered");
    return p.info("Your phone is registered: sign-ins now ask it for approval.");
}

Status push_register(Context& ctx, std::string_view user, Prompter& p, QrStyle qr, bool show_qr,
                     bool only_if_unregistered) {
    CHORUS_ASSIGN_OR_RETURN(std::string uri, push_enroll_begin(ctx, user));
    CHORUS_RETURN_IF_ERROR(
        p.info("Scan this QR code with the privacyIDEA Authenticator app (+, then scan)."));
    if (show_qr) {
        auto drawn = render_qr(uri, qr);
        if (drawn.ok()) CHORUS_RETURN_IF_ERROR(p.info(drawn->view()));
    }
    CHORUS_RETURN_IF_ERROR(p.info("Or open this link on the phone: " + uri));
    CHORUS_RETURN_IF_ERROR(p.ask("Press Enter once the app shows the new token: ", true).status());
    return push_enroll_finish(ctx, user, p, only_if_unregistered);
}

}  // namespace chorus
