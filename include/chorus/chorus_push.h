/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file chorus_push.h
 * Push approval through the privacyIDEA Authenticator app (docs/PUSH.md):
 * registering a phone, and the endpoint the app talks to (chorus-web's
 * broker). Logins, resets and "push" as a default method go through the
 * functions of chorus.h.
 */
#ifndef CHORUS_CHORUS_PUSH_H
#define CHORUS_CHORUS_PUSH_H

#include "chorus/chorus.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 1 when the user has a phone registered for push approval; else 0. */
CHORUS_API int chorus_status_has_push(const chorus_status_t* st);

/**
 * Makes the site's signing key (RSA 4096, PEM, mode 0600) at path, which
 * must not exist. push.key_file names it; only chorus-web's broker reads it.
 */
CHORUS_API CHORUS_NODISCARD int chorus_push_key_generate(const char* path);

/**
 * Registers a phone for push: shows the enrollment QR code (flags as
 * chorus_register_interactive(): CHORUS_ACCOUNT_QR_ANSI/_ASCII,
 * CHORUS_REGISTER_NO_QR), waits for the app, then sends a test request; the
 * phone is saved (and push becomes the default method) only once the test
 * request is approved. CHORUS_ERR_EXPIRED when the app did not register in
 * time, CHORUS_ERR_BAD_CODE when the test was not approved,
 * CHORUS_ERR_UNSUPPORTED when push is not enabled.
 */
CHORUS_API CHORUS_NODISCARD int chorus_push_register(chorus_ctx_t* ctx, const char* user,
                                                     const chorus_prompter* prompter, unsigned flags);

/**
 * The same in two steps, for a front end that draws the QR code itself:
 * begin returns the otpauth://pipush URI (free with chorus_string_free());
 * finish waits for the app and the test request through the prompter.
 */
CHORUS_API CHORUS_NODISCARD int chorus_push_enroll_begin(chorus_ctx_t* ctx, const char* user, char** uri);
CHORUS_API CHORUS_NODISCARD int chorus_push_enroll_finish(chorus_ctx_t* ctx, const char* user,
                                                          const chorus_prompter* prompter);

/**
 * Answers one request of the app at the push endpoint: method "GET" (a
 * poll) or "POST", with its n decoded query or form fields. Sets
 * *http_status and *body (JSON; free with chorus_string_free()) and returns
 * CHORUS_OK whenever there is an answer for the app, refusals included; an
 * error only when no answer could be made (the signing key is unreadable).
 * The signing key (push.key_file) is read on the first call and kept.
 */
CHORUS_API CHORUS_NODISCARD int chorus_push_endpoint(chorus_ctx_t* ctx, const char* method,
                                                     const char* const* names, const char* const* values,
                                                     size_t n, int* http_status, char** body);

#ifdef __cplusplus
}
#endif

#endif /* CHORUS_CHORUS_PUSH_H */
