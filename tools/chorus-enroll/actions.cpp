// SPDX-License-Identifier: BSD-2-Clause
// The changes chorus-enroll makes, one function per option. The caller has
// already proven the user's identity (prove_identity).
#include <cstdio>
#include <string>

#include <chorus/chorus_push.h>

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

int do_register_push(const Session& s) {
    const int rc = chorus_push_register(s.ctx, s.user(), s.prompter, qr_flags(s.opts));
    if (rc != CHORUS_OK) return fail(s.ctx, "registering the phone for push approval", rc);
    return kExitOk;
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

int do_rename_app(const Session& s) {
    const int rc = chorus_app_rename(s.ctx, s.user(), s.opts.app.c_str(), s.opts.app_name);
    if (rc != CHORUS_OK) return fail(s.ctx, "renaming the app " + escape_text(s.opts.app), rc);
    std::printf("App %s is now called %s.\n", escape_text(s.opts.app).c_str(),
                escape_text(s.opts.app_name).c_str());
    return kExitOk;
}

int do_remove_app(const Session& s) {
    const int rc = chorus_app_remove(s.ctx, s.user(), s.opts.app.c_str());
    if (rc != CHORUS_OK) return fail(s.ctx, "removing the app " + escape_text(s.opts.app), rc);
    std::printf("Removed the app %s.\n", escape_text(s.opts.app).c_str());
    return kExitOk;
}

}  // namespace chorus_enroll
