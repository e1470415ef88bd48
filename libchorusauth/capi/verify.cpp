// SPDX-License-Identifier: BSD-2-Clause
#include "capi/capi_internal.hpp"
#include "flows/verify.hpp"

extern "C" {

int chorus_verify_code(chorus_ctx_t* h, const char* user, const char* code, chorus_method* method,
                       long long* lock_remaining) {
    if (method != nullptr) *method = CHORUS_METHOD_NONE;
    if (lock_remaining != nullptr) *lock_remaining = 0;
    if (h == nullptr || user == nullptr || code == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::VerifyOutcome outcome;
        chorus::Status st = chorus::verify_code(h->ctx, user, code, outcome);
        if (lock_remaining != nullptr) *lock_remaining = outcome.lock_remaining;
        if (!st.ok()) return chorus::fail(h, st.error());
        if (method != nullptr)
            *method = outcome.method == chorus::CodeMethod::recovery ? CHORUS_METHOD_RECOVERY : CHORUS_METHOD_TOTP;
        return CHORUS_OK;
    })
}

}  // extern "C"
