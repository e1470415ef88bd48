/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file chorus_reset.h
 * Self-service password reset, what chorus-reset and chorus-web's Forgot
 * password use: the emailed code, a second method, then (after the password
 * was set through PAM) the end of the reset. Included by chorus/chorus.h.
 */
#ifndef CHORUS_CHORUS_RESET_H
#define CHORUS_CHORUS_RESET_H

#include "chorus/chorus.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct chorus_reset chorus_reset_t;

/**
 * Starts a reset for a user name or a registered email address. Succeeds
 * for any well-formed identifier: unknown and unregistered accounts walk the
 * same steps with the same answers, and nothing is ever sent to them.
 */
CHORUS_API CHORUS_NODISCARD int chorus_reset_start(chorus_ctx_t* ctx, const char* identifier,
                                                   chorus_reset_t** out);
CHORUS_API void chorus_reset_free(chorus_reset_t** r);
/**
 * Emails a fresh 6-digit code (a re-send invalidates the previous one).
 * CHORUS_ERR_RATE_LIMITED or CHORUS_ERR_LOCKED with *wait_seconds set.
 */
CHORUS_API CHORUS_NODISCARD int chorus_reset_send_code(chorus_ctx_t* ctx, chorus_reset_t* r,
                                                       long long* wait_seconds);
/** CHORUS_OK, CHORUS_ERR_BAD_CODE, CHORUS_ERR_EXPIRED or CHORUS_ERR_LOCKED. */
CHORUS_API CHORUS_NODISCARD int chorus_reset_check_code(chorus_ctx_t* ctx, chorus_reset_t* r,
                                                        const char* code);
/**
 * The second methods available once the emailed code was proven: "app",
 * "sms", "call", "sms2", "call2", "push" (free with chorus_strings_free()).
 * Empty before that.
 */
CHORUS_API CHORUS_NODISCARD int chorus_reset_methods(chorus_ctx_t* ctx, const chorus_reset_t* r,
                                                     char*** methods, size_t* count);
/** Proves the second method through the prompter. */
CHORUS_API CHORUS_NODISCARD int chorus_reset_second_factor(chorus_ctx_t* ctx, chorus_reset_t* r,
                                                           const char* method,
                                                           const chorus_prompter* prompter);
/** The account being reset: NULL until both proofs passed. */
CHORUS_API const char* chorus_reset_user(const chorus_reset_t* r);
/** After the password was set (through PAM): clears the reset, failures and lockout. */
CHORUS_API CHORUS_NODISCARD int chorus_reset_finish(chorus_ctx_t* ctx, chorus_reset_t* r);

#ifdef __cplusplus
}
#endif

#endif /* CHORUS_CHORUS_RESET_H */
