// SPDX-License-Identifier: BSD-2-Clause
// The Security info operations: sign in (password through PAM, then the
// second factor through the library, as chorus-enroll proves identity),
// then what chorus-enroll does, each change behind a fresh proof.
#include <syslog.h>

#include <cstring>

#include "broker/flow_state.hpp"
#include "chorus/chorus_push.h"
#include "broker/pam_ops.hpp"

namespace chorus_web {
namespace {

// Whether user has a method to prove: 1 yes, 0 no (no state at all, or
// none left), or a negative chorus_rc when the state cannot be read. Only a
// definite "no" lets a password alone through; a store that is down, busy
// or corrupt is a refusal, never "nothing to prove".
int has_method(FlowState& f, const std::string& user) {
    chorus_tools::StatusH st;
    const int rc = chorus_status_get(f.ctx.get(), user.c_str(), st.out());
    if (rc == CHORUS_ERR_NO_USER) return 0;
    if (rc != CHORUS_OK) return rc;
    return chorus_status_has_method(st.get()) == 1 ? 1 : 0;
}

// The password through PAM and, when the account has a method, a second
// factor. CHORUS_OK only when both were proven; a store that cannot be
// reached (a failmode admission) is not a proof.
int prove_identity(FlowState& f, const std::string& user) {
    chorus_web_settings ws{};
    if (chorus_web_settings_get(f.ctx.get(), &ws) != CHORUS_OK) return CHORUS_ERR_INTERNAL;
    f.bridge.secrets_asked = 0;
    const int prc = pam_sign_in(ws.pam_service, user, f.rhost, f.bridge);
    if (prc != PAM_SUCCESS) {
        syslog(LOG_NOTICE, "web sign-in of %s refused by PAM (%d)", user.c_str(), prc);
        return CHORUS_ERR_PERMISSION;
    }
    const int method = has_method(f, user);
    if (method < 0) return method;
    if (method == 0) return CHORUS_OK;  // first registration: nothing to prove yet
    chorus_login_result result = CHORUS_LOGIN_NOT_REQUIRED;
    const int rc =
        chorus_login_authenticate(f.ctx.get(), user.c_str(), f.bridge.prompter(), nullptr, &result);
    if (rc != CHORUS_OK) return rc;
    return result == CHORUS_LOGIN_VERIFIED ? CHORUS_OK : CHORUS_ERR_PERMISSION;
}

Message sign_in(FlowState& f, const Message& req) {
    if (f.kind != FlowKind::none) return error_reply(CHORUS_ERR_PERMISSION, "already signed in");
    const std::string user = req.get("user");
    const int rc = prove_identity(f, user);
    if (rc != CHORUS_OK) return finish(f, rc, "Sign-in failed.");
    f.kind = FlowKind::account;
    f.user = user;
    syslog(LOG_NOTICE, "web: %s signed in from %s", user.c_str(), f.rhost.c_str());
    return finish(f, CHORUS_OK);
}

Message confirm(FlowState& f) {
    f.confirmed = false;
    const int rc = prove_identity(f, f.user);
    if (rc != CHORUS_OK) return finish(f, rc, "Not confirmed.");
    f.confirmed = true;
    return finish(f, CHORUS_OK);
}

const char* yes(int v) {
    return v == 1 ? "1" : "0";
}

Message info(FlowState& f) {
    Message m("ok");
    chorus_tools::StatusH st;
    const int rc = chorus_status_get(f.ctx.get(), f.user.c_str(), st.out());
    if (rc != CHORUS_OK && rc != CHORUS_ERR_NO_USER) return error_reply(rc);
    m.set("user", f.user);
    if (rc == CHORUS_OK) {
        const chorus_status_t* s = st.get();
        m.set("phone", chorus_status_phone(s))
            .set("phone_proven", yes(chorus_status_contact_proven(s, "phone")));
        m.set("phone2", chorus_status_phone2(s))
            .set("phone2_proven", yes(chorus_status_contact_proven(s, "phone2")));
        m.set("email", chorus_status_email(s))
            .set("email_proven", yes(chorus_status_contact_proven(s, "email")));
        m.set("default", chorus_status_default_method(s));
        m.set("recovery_left", std::to_string(chorus_status_recovery_left(s)));
        m.set("push", yes(chorus_status_has_push(s)));
        chorus_tools::Strings apps;
        if (chorus_status_has_totp(s) == 1 &&
            chorus_app_list(f.ctx.get(), f.user.c_str(), apps.out(), apps.count_out()) == CHORUS_OK)
            for (size_t i = 0; i < apps.size(); ++i) m.set("app", apps[i]);
    }
    m.set("sms", yes(chorus_channel_configured(f.ctx.get(), "sms")));
    m.set("voice", yes(chorus_channel_configured(f.ctx.get(), "voice")));
    m.set("mail", yes(chorus_channel_configured(f.ctx.get(), "email")));
    return m;
}

Message app_new(FlowState& f) {
    chorus_tools::Enrollment e;
    int rc = chorus_enrollment_new(f.ctx.get(), f.user.c_str(), nullptr, e.out());
    if (rc != CHORUS_OK) return error_reply(rc);
    chorus_tools::String svg;
    rc = chorus_qr_render(chorus_enrollment_uri(e.get()), CHORUS_QR_SVG, svg.out());
    if (rc != CHORUS_OK) return error_reply(rc);
    Message m("ok");
    m.set("uri", chorus_enrollment_uri(e.get())).set("secret", chorus_enrollment_secret_display(e.get()));
    m.set("svg", svg.get());
    chorus_enrollment_free(f.pending.out());
    *f.pending.out() = *e.out();
    *e.out() = nullptr;
    return m;
}

// The QR code of a phone for push approval: a pending registration, which
// becomes a method only in push_finish (after the phone's test request).
// Starting one needs the fresh proof; finishing spends it.
Message push_new(FlowState& f) {
    if (!f.confirmed) return error_reply(CHORUS_ERR_PERMISSION, "Confirm that it is you first.");
    chorus_tools::String uri;
    int rc = chorus_push_enroll_begin(f.ctx.get(), f.user.c_str(), uri.out());
    if (rc != CHORUS_OK)
        return error_reply(rc, rc == CHORUS_ERR_UNSUPPORTED ? "Push approval is not enabled." : "");
    chorus_tools::String svg;
    rc = chorus_qr_render(uri.get(), CHORUS_QR_SVG, svg.out());
    if (rc != CHORUS_OK) return error_reply(rc);
    Message m("ok");
    m.set("uri", uri.get()).set("svg", svg.get());
    return m;
}

// Runs a change that needs a fresh proof; the proof is spent only when the
// change succeeded, so a mistyped code does not cost another sign-in.
template <typename Change>
Message change(FlowState& f, Change&& run) {
    if (!f.confirmed) return error_reply(CHORUS_ERR_PERMISSION, "Confirm that it is you first.");
    const int rc = run();
    if (rc == CHORUS_OK) f.confirmed = false;
    return finish(f, rc);
}

Message new_recovery_codes(FlowState& f) {
    if (!f.confirmed) return error_reply(CHORUS_ERR_PERMISSION, "Confirm that it is you first.");
    chorus_tools::Strings codes;
    const int rc = chorus_recovery_codes_new(f.ctx.get(), f.user.c_str(), codes.out(), codes.count_out());
    if (rc != CHORUS_OK) return error_reply(rc);
    f.confirmed = false;
    Message m("ok");
    for (size_t i = 0; i < codes.size(); ++i) m.set("code", codes[i]);
    return m;
}

}  // namespace

Message handle_account(FlowState& f, Message& req) {
    if (req.op == "account.signin") return sign_in(f, req);
    if (f.kind != FlowKind::account) return error_reply(CHORUS_ERR_PERMISSION, "sign in first");
    const char* u = f.user.c_str();
    chorus_ctx_t* ctx = f.ctx.get();
    if (req.op == "account.confirm") return confirm(f);
    if (req.op == "account.info") return info(f);
    if (req.op == "account.app_new") return app_new(f);
    if (req.op == "account.app_save") {
        if (!f.pending) return error_reply(CHORUS_ERR_INVALID_ARG, "Add an app first.");
        Message m = change(f, [&] {
            return chorus_enrollment_add(ctx, f.pending.get(), req.get("code").c_str(),
                                         req.get("name").c_str());
        });
        if (m.op == "ok") chorus_enrollment_free(f.pending.out());
        return m;
    }
    if (req.op == "account.app_rename")
        return change(
            f, [&] { return chorus_app_rename(ctx, u, req.get("app").c_str(), req.get("name").c_str()); });
    if (req.op == "account.app_remove")
        return change(f, [&] { return chorus_app_remove(ctx, u, req.get("app").c_str()); });
    if (req.op == "account.default")
        return change(f, [&] { return chorus_user_set_default_method(ctx, u, req.get("method").c_str()); });
    if (req.op == "account.remove")
        return change(f, [&] { return chorus_user_remove_method(ctx, u, req.get("method").c_str()); });
    if (req.op == "account.recovery") return new_recovery_codes(f);
    if (req.op == "account.push_new") return push_new(f);
    if (req.op == "account.push_finish")
        return change(f, [&] { return chorus_push_enroll_finish(ctx, u, f.bridge.prompter()); });
    if (req.op == "account.contact") {
        const std::string how = req.get("how");
        return change(f, [&] {
            return chorus_user_prove_contact(ctx, u, req.get("which").c_str(), req.get("value").c_str(),
                                             how.empty() ? nullptr : how.c_str(), f.bridge.prompter());
        });
    }
    return error_reply(CHORUS_ERR_INVALID_ARG, "unknown operation");
}

}  // namespace chorus_web
