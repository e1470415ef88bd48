/* SPDX-License-Identifier: BSD-2-Clause */
/* TOTP codes (RFC 6238, HMAC-SHA1, 6 digits, 30 s) computed independently of
 * the library, for the C tests that play the user's authenticator app. */
#ifndef CHORUS_TESTS_REF_TOTP_H
#define CHORUS_TESTS_REF_TOTP_H

#include <stddef.h>
#include <time.h>

/* Writes the 6-digit code for time t and key into out; returns 0, or -1 if
 * the HMAC failed (out is then empty). */
int ref_totp_key(const unsigned char* key, size_t key_len, time_t t, char out[16]);

/* The same for a base32 key (case, spaces and padding ignored). */
int ref_totp_base32(const char* secret_base32, time_t t, char out[16]);

#endif
