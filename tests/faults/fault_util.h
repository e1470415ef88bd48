/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared helpers of the tests/faults/ programs: a private directory with a
 * config and a state directory, the public C API with that config, file
 * snapshots compared byte for byte, TOTP codes, and the driver program run
 * under the fault shim.
 */
#ifndef CHORUS_TESTS_FAULTS_UTIL_H
#define CHORUS_TESTS_FAULTS_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include <chorus/chorus.h>

#define FU_SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
#define FU_USER "alice"

/* Root check for main(): returns 77 (skip) when not root. */
int fu_need_root(const char* prog);

/* A fresh private directory with cfg/chorus.yaml (store at DIR/state,
 * lockout.max_failures 1000) plus extra YAML appended; created per test. */
void fu_setup_dir(const char* extra_yaml);
void fu_teardown_dir(void);
const char* fu_dir(void);
const char* fu_config(void);
/* DIR/name (one of a few static buffers in rotation). */
const char* fu_path(const char* name);

/* The public API with the test config (asserts that the ctx opens). */
chorus_ctx_t* fu_ctx(void);
/* Enrolls user with FU_SECRET (admin provisioning, no confirmation code). */
void fu_enroll(const char* user);
/* chorus_status_get: rc, and failures/recovery_left when OK (else -1). */
int fu_status(const char* user, int* failures, int* recovery_left);

/* RFC 6238 (SHA1, 6 digits, 30 s) of FU_SECRET at t. */
void fu_totp(time_t t, char out[16]);
/* The same for any key. */
void fu_totp_key(const unsigned char* key, size_t key_len, time_t t, char out[16]);
/* A 6-digit code matching none of the steps around now. */
void fu_wrong_code(char out[16]);

/* Everything in DIR/state (names, types, sizes, bytes) as one string; malloc'd. */
char* fu_snapshot(void);
/* The same for any directory. */
char* fu_snapshot_of(const char* dir);
/* Entries of DIR/state ending with suffix; entries of length 0 when zero_len. */
int fu_count_suffix(const char* suffix);
int fu_count_empty(void);
/* A whole file, malloc'd (NUL-terminated); *len may be NULL. NULL if absent. */
char* fu_slurp(const char* path, size_t* len);
void fu_write(const char* path, const char* text, int mode);

/* Runs the driver (FAULT_DRIVER) with the config and args under the shim,
 * with env (NULL-terminated "K=V" list) added; returns the chorus_rc it
 * reports (0 or negative), or 1000+ on a crash. out (may be NULL) receives
 * its stdout (up to cap bytes). */
int fu_driver(const char* const* env, char* out, size_t cap, const char* op, const char* user,
              const char* arg);

#endif
