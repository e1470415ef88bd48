/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the benchmark programs share: the synthetic users (bench000000 ...),
 * their deterministic TOTP keys, and a self-contained HMAC-SHA1 TOTP so the
 * PAM driver links nothing but libpam (no libcrypto preloaded to favour any
 * module under test).
 */
#ifndef CHORUS_BENCH_OTP_H
#define CHORUS_BENCH_OTP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BENCH_KEY_BYTES 20
#define BENCH_PERIOD 30
#define BENCH_UID_BASE 2000000u
#define BENCH_GID 2000000u
#define BENCH_MAX_USERS 1000000u

/* "bench%06u" into buf (at least 16 bytes). */
void bench_user_name(unsigned index, char* buf, size_t size);
/* The index of a bench user name, or -1 if name is not one. */
long bench_user_index(const char* name);
/* The user's key: 20 deterministic pseudo-random bytes. */
void bench_user_key(unsigned index, uint8_t key[BENCH_KEY_BYTES]);
/* Key as unpadded RFC 4648 base32 (32 chars + NUL) and lower-case hex (40 + NUL). */
void bench_key_base32(const uint8_t key[BENCH_KEY_BYTES], char out[33]);
void bench_key_hex(const uint8_t key[BENCH_KEY_BYTES], char out[41]);
/* The 6-digit TOTP (SHA-1) code of key at time step `step`. */
unsigned bench_totp(const uint8_t key[BENCH_KEY_BYTES], uint64_t step);
/* The current 30-second time step. */
uint64_t bench_step_now(void);
/* A code that matches none of steps step-3 .. step+3. */
unsigned bench_wrong_code(const uint8_t key[BENCH_KEY_BYTES], uint64_t step);

#ifdef __cplusplus
}
#endif

#endif
