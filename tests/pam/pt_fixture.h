/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fixture shared by the tests/pam/ programs: they drive the shipped
 * pam_chorus.so through Linux-PAM under pam_wrapper (private service files,
 * never /etc/pam.d) with libpamtest, as root, with real test accounts.
 *
 * pt_main() is the whole life of a program: as the parent it makes a private
 * 0700 directory, writes the program's service files there, re-runs itself
 * with pam_wrapper preloaded (pam_wrapper 1.1 copies the service directory
 * once, when it is loaded, so the files must exist before the process
 * starts), and afterwards removes every account and group the tests created
 * (listed in DIR/created as they are made, so a crash still cleans up) and
 * the directory itself.
 */
#ifndef CHORUS_TESTS_PAM_FIXTURE_H
#define CHORUS_TESTS_PAM_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include <libpamtest.h>
#include <security/pam_appl.h>

/* A service file; in text, @MODULE@ becomes the path of pam_chorus.so,
 * @CONFIG@ the test config file, @DIR@ the private directory and
 * @WRAPMODS@ pam_wrapper's module directory (pam_set_items.so). */
struct pt_service {
    const char* name;
    const char* text;
};

int pt_main(int argc, char** argv, const char* group, const struct pt_service* services,
            const struct CMUnitTest* tests, size_t count);

/* Serializes pam_wrapper's set-up across test programs (see pt_wrap.c):
 * a descriptor holding the lock, or -1 when it could not be had (a message
 * says so; the caller goes on). A forked child that calls pam_start holds it
 * around that call; pt_main holds it while the test process starts. */
int pt_wrapper_lock(void);
void pt_wrapper_unlock(int fd);

/* Per-test setup: empties the state directory and the delivery records. */
int pt_setup(void** state);

#define PT_TEST(fn) cmocka_unit_test_setup(fn, pt_setup)

const char* pt_dir(void);
const char* pt_config_path(void);
/* A path under the private directory (static buffer, one of a few in rotation). */
const char* pt_path(const char* name);

/* Writes the config (root-owned, 0600, in a 0700 directory): `store: path`
 * first, then body (printf format); unless body has a `password:` section,
 * a fast argon2 setting for history is added. */
void pt_config(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new account chorus-pt-<pid>-<n>, optionally in supplementary groups
 * (comma-separated); removed at the end. Returns a static-lifetime string. */
const char* pt_user_add(const char* groups);
/* A new group chorus-pg-<pid>-<n>; removed at the end. */
const char* pt_group_add(void);
/* Sets the account's Unix password (SHA-512 crypt, through usermod -p). */
void pt_set_password(const char* user, const char* password);
/* The account's crypt hash from /etc/shadow (static buffer). */
const char* pt_shadow_hash(const char* user);
/* Runs a program with a clean environment; returns its exit status or -1. */
int pt_run(const char* const argv[], const char* stdin_text);

/* Library side, through the public C API with the same config. */
#define PT_SECRET "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
void pt_enroll(const char* user, const char* secret_base32);
/* Registers one more authenticator app for user, beside those it has. */
void pt_add_app(const char* user, const char* secret_base32, const char* name);
/* Stores a contact ("phone", "phone2", "email"); proven != 0: as an admin vouching for it. */
void pt_set_contact(const char* user, const char* which, const char* value, int proven);
void pt_set_phone(const char* user, const char* phone);
/* The user's default method ("app", "sms", "call", "sms2", "call2"). */
void pt_set_default(const char* user, const char* method);
/* New recovery codes; *codes is freed with chorus_strings_free. */
void pt_recovery_codes(const char* user, char*** codes, size_t* count);
void pt_unlock(const char* user);
/* 1 when the library has any state for user. */
int pt_has_state(const char* user);
int pt_failures(const char* user);
/* Whether any per-user record (*.rec / *.live) exists in the state dir. */
int pt_state_files(void);

/* RFC 6238 TOTP (SHA1, 6 digits, 30 s) of secret at time t, into out[7]. */
void pt_totp(const char* secret_base32, time_t t, char out[16]);

/* A scripted conversation that records everything it is shown. */
#define PT_MAX_ANSWERS 32
#define PT_MAX_MSGS 256
struct pt_conv;
typedef char* (*pt_answer_hook)(struct pt_conv* c, int style, const char* prompt);
struct pt_conv {
    const char* echo_off[PT_MAX_ANSWERS];
    const char* echo_on[PT_MAX_ANSWERS];
    size_t off_used, on_used;
    /* Called first for every prompt: a malloc'd answer, or NULL for the queues. */
    pt_answer_hook hook;
    void* hook_arg;
    /* Nonzero: every text (info or error) fails, as a conversation that
     * cannot show anything does; prompts are still answered. */
    int refuse_texts;
    int styles[PT_MAX_MSGS];
    char* msgs[PT_MAX_MSGS];
    size_t n;
};
void pt_conv_free(struct pt_conv* c);
/* Index of the first message of style (or -1 for any) containing needle, or -1. */
int pt_conv_find(const struct pt_conv* c, int style, const char* needle);
/* Number of prompts (echo on or off) the module made. */
int pt_conv_prompts(const struct pt_conv* c);
void pt_conv_dump(const struct pt_conv* c);

/* Runs the cases in one PAM transaction, in order, stopping at the first whose
 * result differs from expected_rv (as sshd stops after a failed
 * pam_authenticate), and fails the test with both names if one does. */
void pt_expect_(const char* service, const char* user, struct pt_conv* c, struct pam_testcase* cases,
                size_t count, const char* file, int line);
#define pt_expect(service, user, conv, cases) \
    pt_expect_(service, user, conv, cases, sizeof(cases) / sizeof(cases[0]), __FILE__, __LINE__)
/* One operation; returns what PAM returned (no assertion). */
int pt_pam(const char* service, const char* user, struct pt_conv* c, enum pamtest_ops op);
/* The same, with flags for the PAM call (PAM_SILENT). */
int pt_pam_flags(const char* service, const char* user, struct pt_conv* c, enum pamtest_ops op, int flags);

const char* pt_pam_name(int rc);

#endif
