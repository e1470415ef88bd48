// SPDX-License-Identifier: BSD-2-Clause
#include "capi/capi_internal.hpp"
#include "flows/events.hpp"
#include "flows/check_helper.hpp"
#include "flows/verify.hpp"

extern "C" {

int chorus_verify_code(chorus_ctx_t* h, const char* user, const char* code, chorus_method* method,
                       long long* lock_remaining) {
    if (method != nullptr) *method = CHORUS_METHOD_NONE;
    if (lock_remaining != nullptr) *lock_remaining = 0;
    if (h == nullptr || user == nullptr || code == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::VerifyOutcome outcome;
        const chorus::LoginTiming timing(h->ctx);
        chorus::Status st = chorus::verify_code(h->ctx, user, code, outcome);
        chorus::report_code_check(h->ctx, user, st, outcome);
        if (lock_remaining != nullptr) *lock_remaining = outcome.lock_remaining;
        if (!st.ok()) return chorus::fail(h, st.error());
        if (method != nullptr)
            *method =
                outcome.method == chorus::CodeMethod::recovery ? CHORUS_METHOD_RECOVERY : CHORUS_METHOD_TOTP;
        return CHORUS_OK;
    })
}

int chorus_check_serve(chorus_ctx_t* h, const char* user, int in_fd, int out_fd, int* exit_status) {
    if (exit_status == nullptr) return CHORUS_ERR_INVALID_ARG;
    *exit_status = static_cast<int>(chorus::CheckStatus::failure);
    if (h == nullptr || user == nullptr || in_fd < 0 || out_fd < 0) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        const chorus::CheckStatus st = chorus::serve_check_request(h->ctx, user, in_fd, out_fd);
        if (st == chorus::CheckStatus::failure)
            return chorus::fail(h, chorus::make_error(chorus::Errc::io, "the request was not answered"));
        *exit_status = static_cast<int>(st);
        return CHORUS_OK;
    })
}

}  // extern "C"
