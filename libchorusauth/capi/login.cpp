// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>
#include <cstring>

#include "capi/capi_internal.hpp"
#include "capi/c_prompter.hpp"
#include "flows/failmode.hpp"
#include "flows/login.hpp"

extern "C" {

int chorus_login_authenticate(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter,
                              const char* code, chorus_login_result* result) {
    if (result != nullptr) *result = static_cast<chorus_login_result>(0);
    if (h == nullptr || user == nullptr || prompter == nullptr || result == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        std::optional<chorus::SecretString> preset;
        if (code != nullptr) preset.emplace(code);
        auto r = chorus::login_authenticate(h->ctx, user, p, preset);
        if (!r.ok()) return chorus::fail(h, r.error());
        switch (*r) {
        case chorus::LoginResult::verified:
            *result = CHORUS_LOGIN_VERIFIED;
            break;
        case chorus::LoginResult::not_required:
            *result = CHORUS_LOGIN_NOT_REQUIRED;
            break;
        case chorus::LoginResult::failmode:
            *result = CHORUS_LOGIN_FAILMODE;
            break;
        case chorus::LoginResult::break_glass:
            *result = CHORUS_LOGIN_BREAK_GLASS;
            break;
        }
        return CHORUS_OK;
    })
}

int chorus_login_account(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter, unsigned flags) {
    if (h == nullptr || user == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::AccountOptions opts;
        if ((flags & CHORUS_ACCOUNT_QR_ANSI) != 0) opts.qr = chorus::QrStyle::ansi;
        if ((flags & CHORUS_ACCOUNT_QR_ASCII) != 0) opts.qr = chorus::QrStyle::ascii;
        opts.after_break_glass = (flags & CHORUS_ACCOUNT_BREAK_GLASS) != 0;
        opts.silent = (flags & CHORUS_ACCOUNT_SILENT) != 0;
        chorus::Status st = chorus::login_account(h->ctx, user, p, opts);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_login_password(chorus_ctx_t* h, const char* user, const char* gecos, const char* password,
                          chorus_pw_mode mode, unsigned flags, const chorus_prompter* prompter) {
    if (h == nullptr || user == nullptr || password == nullptr || prompter == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    if (mode != CHORUS_PW_CHANGE && mode != CHORUS_PW_RESET) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::Status st = chorus::login_password(
            h->ctx, user, gecos != nullptr ? gecos : "", password,
            mode == CHORUS_PW_RESET ? chorus::PasswordMode::reset : chorus::PasswordMode::change,
            (flags & CHORUS_PW_BY_ADMIN) != 0, p);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_ctx_set_origin(chorus_ctx_t* h, const char* tty, const char* rhost) {
    if (h == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        h->ctx.origin.tty = tty != nullptr ? tty : "";
        h->ctx.origin.rhost = rhost != nullptr ? rhost : "";
        return CHORUS_OK;
    })
}

int chorus_ctx_set_service(chorus_ctx_t* h, const char* service) {
    if (h == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        h->ctx.origin.service = service != nullptr ? service : "";
        return CHORUS_OK;
    })
}

int chorus_break_glass_new(chorus_ctx_t* h, const char* user, char*** codes, size_t* count) {
    if (codes != nullptr) *codes = nullptr;
    if (count != nullptr) *count = 0;
    if (h == nullptr || user == nullptr || codes == nullptr || count == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto made = chorus::break_glass_renew(h->ctx, user);
        if (!made.ok()) return chorus::fail(h, made.error());
        return chorus_dup_string_list(
            *made, [](const chorus::SecretString& c) { return c.view(); }, codes, count);
    })
}

}  // extern "C"
