// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>
#include <cstring>

#include "capi/capi_internal.hpp"
#include "flows/login.hpp"

namespace {

// The C callbacks seen as a chorus::Prompter.
class CPrompter final : public chorus::Prompter {
public:
    explicit CPrompter(const chorus_prompter& p) : p_(p) {}

    chorus::Status info(std::string_view text) override { return show(CHORUS_MSG_INFO, text); }
    chorus::Status error(std::string_view text) override { return show(CHORUS_MSG_ERROR, text); }

    chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool echo) override {
        if (p_.ask == nullptr) return chorus::make_error(chorus::Errc::unsupported, "no way to ask the user");
        std::string q(prompt);
        char* answer = nullptr;
        if (p_.ask(p_.arg, echo ? 1 : 0, q.c_str(), &answer) != 0 || answer == nullptr) {
            std::free(answer);
            return chorus::make_error(chorus::Errc::permission, "the conversation gave no answer");
        }
        // Bounded: a 10 kB "code" is still only a wrong code.
        chorus::SecretString out(std::string_view(answer, strnlen(answer, 4096)));
        chorus::secure_wipe(answer, std::strlen(answer));
        std::free(answer);
        return out;
    }

private:
    chorus::Status show(chorus_msg_kind kind, std::string_view text) {
        if (p_.show == nullptr) return chorus::make_error(chorus::Errc::unsupported, "no way to show text");
        chorus::SecretString copy(text);  // texts may carry a key or recovery codes
        if (p_.show(p_.arg, kind, copy.c_str()) != 0)
            return chorus::make_error(chorus::Errc::permission, "the conversation could not show text");
        return {};
    }

    const chorus_prompter& p_;
};

}  // namespace

extern "C" {

int chorus_login_authenticate(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter, const char* code,
                              chorus_login_result* result) {
    if (result != nullptr) *result = static_cast<chorus_login_result>(0);
    if (h == nullptr || user == nullptr || prompter == nullptr || result == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        CPrompter p(*prompter);
        std::optional<chorus::SecretString> preset;
        if (code != nullptr) preset.emplace(code);
        auto r = chorus::login_authenticate(h->ctx, user, p, preset);
        if (!r.ok()) return chorus::fail(h, r.error());
        *result = *r == chorus::LoginResult::verified ? CHORUS_LOGIN_VERIFIED : CHORUS_LOGIN_NOT_REQUIRED;
        return CHORUS_OK;
    })
}

int chorus_login_account(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter, unsigned flags) {
    if (h == nullptr || user == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        CPrompter p(*prompter);
        chorus::AccountOptions opts;
        if ((flags & CHORUS_ACCOUNT_QR_ANSI) != 0) opts.qr = chorus::QrStyle::ansi;
        if ((flags & CHORUS_ACCOUNT_QR_ASCII) != 0) opts.qr = chorus::QrStyle::ascii;
        chorus::Status st = chorus::login_account(h->ctx, user, p, opts);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_login_password(chorus_ctx_t* h, const char* user, const char* gecos, const char* password,
                          chorus_pw_mode mode, unsigned flags, const chorus_prompter* prompter) {
    if (h == nullptr || user == nullptr || password == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    if (mode != CHORUS_PW_CHANGE && mode != CHORUS_PW_RESET) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        CPrompter p(*prompter);
        chorus::Status st = chorus::login_password(
            h->ctx, user, gecos != nullptr ? gecos : "", password,
            mode == CHORUS_PW_RESET ? chorus::PasswordMode::reset : chorus::PasswordMode::change,
            (flags & CHORUS_PW_BY_ADMIN) != 0, p);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"
