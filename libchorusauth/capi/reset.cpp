// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>

#include "capi/c_prompter.hpp"
#include "flows/reset.hpp"

struct chorus_reset {
    chorus::ResetSession session;
};

extern "C" {

int chorus_reset_start(chorus_ctx_t* h, const char* identifier, chorus_reset_t** out) {
    if (out != nullptr) *out = nullptr;
    if (h == nullptr || identifier == nullptr || out == nullptr || *identifier == '\0')
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto s = chorus::reset_start(h->ctx, identifier);
        if (!s.ok()) return chorus::fail(h, s.error());
        *out = new chorus_reset{std::move(s).value()};
        return CHORUS_OK;
    })
}

void chorus_reset_free(chorus_reset_t** r) {
    if (r == nullptr || *r == nullptr) return;
    delete *r;
    *r = nullptr;
}

int chorus_reset_send_code(chorus_ctx_t* h, chorus_reset_t* r, long long* wait_seconds) {
    if (wait_seconds != nullptr) *wait_seconds = 0;
    if (h == nullptr || r == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        std::int64_t wait = 0;
        chorus::Status st = chorus::reset_send_code(h->ctx, r->session, wait);
        if (wait_seconds != nullptr) *wait_seconds = wait;
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_reset_check_code(chorus_ctx_t* h, chorus_reset_t* r, const char* code) {
    if (h == nullptr || r == nullptr || code == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::reset_check_code(h->ctx, r->session, code);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_reset_methods(chorus_ctx_t* h, const chorus_reset_t* r, char*** methods, size_t* count) {
    if (methods != nullptr) *methods = nullptr;
    if (count != nullptr) *count = 0;
    if (h == nullptr || r == nullptr || methods == nullptr || count == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto list = chorus::reset_methods(h->ctx, r->session);
        return chorus_dup_string_list(
            list, [](const std::string& m) { return std::string_view(m); }, methods, count);
    })
}

int chorus_reset_second_factor(chorus_ctx_t* h, chorus_reset_t* r, const char* method,
                               const chorus_prompter* prompter) {
    if (h == nullptr || r == nullptr || method == nullptr || prompter == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::Status st = chorus::reset_second_factor(h->ctx, r->session, method, p);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

const char* chorus_reset_user(const chorus_reset_t* r) {
    if (r == nullptr || !r->session.email_verified || !r->session.second_verified || r->session.user.empty())
        return nullptr;
    return r->session.user.c_str();
}

int chorus_reset_finish(chorus_ctx_t* h, chorus_reset_t* r) {
    if (h == nullptr || r == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::reset_finish(h->ctx, r->session);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"
