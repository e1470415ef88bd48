// SPDX-License-Identifier: BSD-2-Clause
// The changes chorus-enroll makes, one function per option. The caller has
// already proven the user's identity (prove_identity).
#include <cstdio>
#include <string>

#include "chorus-enroll/enroll.hpp"
#include "common/handles.hpp"
#include "common/text.hpp"

namespace chorus_enroll {
namespace {

using chorus_tools::escape_text;

unsigned qr_flags(const Options& o) {
    if (o.qr_none) return CHORUS_REGISTER_NO_QR;
    if (o.qr == CHORUS_QR_ANSI) return CHORUS_ACCOUNT_QR_ANSI;
    if (o.qr == CHORUS_QR_ASCII) return CHORUS_ACCOUNT_QR_ASCII;
    return 0;
}

// Sends a code to a new contact when that channel is configured.
int verify_contact(const Session& s, const char* channel, const std::string& value) {
    const std::string shown = escape_text(value);
    const int rc = chorus_contact_verify(s.ctx, channel, value.c_str(), s.prompter);
    if (rc == CHORUS_ERR_UNSUPPORTED) {
        std::printf("%s saved, not verified: %s delivery is not configured.\n", shown.c_str(),
                    std::string(channel) == "sms" ? "SMS" : "email");
        return kExitOk;
    }
    if (rc != CHORUS_OK) return fail(s.ctx, "verifying " + shown, rc);
    std::printf("%s verified.\n", shown.c_str());
    return kExitOk;
}

// The stored (normalized) phone or email after a change.
std::string stored_contact(const Session& s, bool phone) {
    chorus_tools::StatusH st;
    if (chorus_status_get(s.ctx, s.user(), st.out()) != CHORUS_OK) return {};
    return phone ? chorus_status_phone(st.get()) : chorus_status_email(st.get());
}

}  // namespace

int do_register_app(const Session& s, const Methods& m) {
    // Replacing the app keeps phone, email and an existing set of codes.
    unsigned flags = qr_flags(s.opts);
    if (m.has_method) {
        flags |= CHORUS_REGISTER_NO_CONTACTS;
        if (m.recovery_left > 0) flags |= CHORUS_REGISTER_NO_RECOVERY;
    }
    const int rc = chorus_register_interactive(s.ctx, s.user(), s.prompter, flags);
    if (rc != CHORUS_OK) return fail(s.ctx, "registering the authenticator app", rc);
    return kExitOk;
}

// Sets a phone (--phone) and/or email (--email), then proves each new value
// by a code sent to it when that channel is configured; a value that fails
// its check is put back to what it was.
int do_contact(const Session& s) {
    Methods before;
    if (read_methods(s, before) != kExitOk) return kExitFail;
    const int rc = chorus_user_set_contact(s.ctx, s.user(), s.opts.phone, s.opts.email);
    if (rc != CHORUS_OK) {
        const bool both = s.opts.phone != nullptr && s.opts.email != nullptr;
        std::string what = both                      ? "setting phone and email"
                           : s.opts.phone != nullptr ? "setting phone " + escape_text(s.opts.phone)
                                                     : "setting email " + escape_text(s.opts.email);
        return fail(s.ctx, what, rc);
    }
    int status = kExitOk;
    for (const bool phone : {true, false}) {
        if ((phone ? s.opts.phone : s.opts.email) == nullptr) continue;
        const std::string value = stored_contact(s, phone);
        std::printf("%s set to %s.\n", phone ? "Phone" : "Email", escape_text(value).c_str());
        if (verify_contact(s, phone ? "sms" : "email", value) == kExitOk) continue;
        status = kExitFail;
        const std::string& old = phone ? before.phone : before.email;
        const int undo = chorus_user_set_contact(s.ctx, s.user(), phone ? old.c_str() : nullptr,
                                                 phone ? nullptr : old.c_str());
        if (undo != CHORUS_OK) return fail(s.ctx, "restoring the previous value", undo);
        std::printf("%s not changed.\n", phone ? "Phone" : "Email");
    }
    return status;
}

int do_remove(const Session& s) {
    const int rc = chorus_user_remove_method(s.ctx, s.user(), s.opts.method.c_str());
    if (rc != CHORUS_OK) return fail(s.ctx, "removing " + s.opts.method, rc);
    std::printf("Removed: %s.\n", s.opts.method.c_str());
    return kExitOk;
}

int do_set_default(const Session& s) {
    const int rc = chorus_user_set_default_method(s.ctx, s.user(), s.opts.method.c_str());
    if (rc != CHORUS_OK) return fail(s.ctx, "setting the default method to " + s.opts.method, rc);
    std::printf("Default method: %s.\n", s.opts.method.c_str());
    return kExitOk;
}

int do_recovery_codes(const Session& s) {
    chorus_tools::Strings codes;
    const int rc = chorus_recovery_codes_new(s.ctx, s.user(), codes.out(), codes.count_out());
    if (rc != CHORUS_OK) return fail(s.ctx, "making recovery codes", rc);
    std::printf(
        "New recovery codes: each works once, in place of a code from your app.\n"
        "The previous set no longer works. Keep these somewhere safe; they are not shown again.\n");
    for (size_t i = 0; i < codes.size(); ++i) std::printf("    %s\n", codes[i]);
    return kExitOk;
}

}  // namespace chorus_enroll
