/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so auth: codes, replay, lockout, unknown users, PAM_SILENT.
 * Signing in another way (SMS, call): test_pam_other_method.c. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chorus/chorus.h>

static const struct pt_service services[] = {
    {"chorus-auth",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    /* Succeeds only when pam_chorus answers PAM_IGNORE (it jumps over pam_deny). */
    {"chorus-probe-ignore",
     "auth [ignore=1 default=die] @MODULE@ config=@CONFIG@\n"
     "auth requisite pam_deny.so\n"
     "auth required pam_permit.so\n"},
    {NULL, NULL}};

static void base_config(void) {
    pt_config("lockout:\n  max_failures: 5\n  lock_seconds: 900\n");
}

static void now_code(char out[16]) {
    pt_totp(PT_SECRET, time(NULL), out);
}

/* A 6-digit code that matches none of the steps the window accepts. */
static void wrong_code(char out[16]) {
    char a[16], b[16], c[16];
    time_t t = time(NULL);
    pt_totp(PT_SECRET, t - 30, a);
    pt_totp(PT_SECRET, t, b);
    pt_totp(PT_SECRET, t + 30, c);
    for (unsigned v = 123456;; v = (v + 1) % 1000000) {
        snprintf(out, 16, "%06u", v);
        if (strcmp(out, a) && strcmp(out, b) && strcmp(out, c)) return;
    }
}

static int auth_with(const char* user, const char* code, struct pt_conv* c) {
    c->echo_off[0] = code;
    return pt_pam("chorus-auth", user, c, PAMTEST_AUTHENTICATE);
}

static void test_correct_code_logs_in(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    now_code(code);
    struct pt_conv c = {.echo_off = {code}};
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                   pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-auth", user, &c, cases);
    int i = pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Verification code: ");
    assert_int_equal(i, 0);
    assert_int_equal(pt_conv_prompts(&c), 1);
    pt_conv_free(&c);
}

/* Whether this process maps a library whose file name holds name. */
static int maps_library(const char* name) {
    FILE* f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[1024];
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL) found |= strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* A login loads neither libargon2 (password changes) nor libqrencode
 * (registration): they are loaded on first use. Runs first, before any
 * test of this process needs them; the QR code at the end shows the check
 * sees a library once it is loaded. */
static void test_a_login_loads_no_registration_libraries(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    now_code(code);
    struct pt_conv c = {.echo_off = {code}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    pt_conv_free(&c);
    assert_false(maps_library("libargon2"));
    assert_false(maps_library("libqrencode"));
    char* qr = NULL;
    assert_int_equal(chorus_qr_render("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP", CHORUS_QR_ASCII, &qr),
                     CHORUS_OK);
    chorus_string_free(&qr);
    assert_true(maps_library("libqrencode"));
}

static void test_code_typed_with_a_space_is_accepted(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16], spaced[20];
    now_code(code);
    snprintf(spaced, sizeof spaced, "%.3s %s", code, code + 3);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, spaced, &c), PAM_SUCCESS);
    pt_conv_free(&c);
}

static void test_wrong_code_is_refused(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    wrong_code(code);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, code, &c), PAM_AUTH_ERR);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "Wrong code.") >= 0);
    assert_int_equal(pt_failures(user), 1);
    pt_conv_free(&c);
}

static void test_replayed_code_is_refused(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    now_code(code);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, code, &c), PAM_SUCCESS);
    pt_conv_free(&c);
    struct pt_conv again = {0};
    assert_int_equal(auth_with(user, code, &again), PAM_AUTH_ERR);
    assert_true(pt_conv_find(&again, PAM_ERROR_MSG, "Code expired or already used") >= 0);
    pt_conv_free(&again);
}

/* One authentication with code: its result, and the error shown (if any). */
static void auth_expect(const char* user, const char* code, int want, const char* error) {
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, code, &c), want);
    if (error != NULL) assert_true(pt_conv_find(&c, PAM_ERROR_MSG, error) >= 0);
    pt_conv_free(&c);
}

/* A second app's code logs in through the module; each app's code once. */
static void test_every_registered_app_logs_in(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    static const char second[] = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA";
    pt_add_app(user, second, "tablet");
    char code[16];
    pt_totp(second, time(NULL), code);
    auth_expect(user, code, PAM_SUCCESS, NULL);
    auth_expect(user, code, PAM_AUTH_ERR, "Code expired or already used");
    pt_unlock(user);
    now_code(code);
    auth_expect(user, code, PAM_SUCCESS, NULL); /* the first app's step is its own */
}

static void test_empty_code_is_refused(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, "", &c), PAM_AUTH_ERR);
    pt_conv_free(&c);
}

static void test_10kB_code_is_refused(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char* big = malloc(10 * 1024 + 1);
    char code[16];
    now_code(code);
    /* The right code repeated: a parser that looked at a prefix would accept it. */
    for (size_t i = 0; i < 10 * 1024; i++) big[i] = code[i % 6];
    big[10 * 1024] = '\0';
    struct pt_conv c = {0};
    int rc = auth_with(user, big, &c);
    assert_int_equal(rc, PAM_AUTH_ERR);
    free(big);
    pt_conv_free(&c);
    /* The current code was not spent by that. */
    struct pt_conv ok = {0};
    assert_int_equal(auth_with(user, code, &ok), PAM_SUCCESS);
    pt_conv_free(&ok);
}

static void test_non_digit_code_is_refused(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    now_code(code);
    code[2] = 'x';
    const char* tries[] = {"abcdef", code, "12345\n", "-12345", "1234567890"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        struct pt_conv c = {0};
        assert_int_equal(auth_with(user, tries[i], &c), PAM_AUTH_ERR);
        pt_conv_free(&c);
        pt_unlock(user);
    }
}

static void test_recovery_code_logs_in_once(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char** codes = NULL;
    size_t count = 0;
    pt_recovery_codes(user, &codes, &count);
    assert_true(count >= 2);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, codes[0], &c), PAM_SUCCESS);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Recovery code accepted") >= 0);
    pt_conv_free(&c);
    struct pt_conv again = {0};
    assert_int_equal(auth_with(user, codes[0], &again), PAM_AUTH_ERR);
    pt_conv_free(&again);
    struct pt_conv other = {0};
    assert_int_equal(auth_with(user, codes[1], &other), PAM_SUCCESS);
    pt_conv_free(&other);
    chorus_strings_free(&codes, count);
}

static void test_five_wrong_codes_lock_the_account(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char bad[16], good[16];
    wrong_code(bad);
    for (int i = 0; i < 4; i++) {
        struct pt_conv c = {0};
        assert_int_equal(auth_with(user, bad, &c), PAM_AUTH_ERR);
        pt_conv_free(&c);
    }
    /* The fifth failure locks (and says so); from then on even the right code gets PAM_MAXTRIES. */
    struct pt_conv fifth = {0};
    assert_int_equal(auth_with(user, bad, &fifth), PAM_MAXTRIES);
    assert_true(pt_conv_find(&fifth, PAM_ERROR_MSG, "Too many attempts") >= 0);
    pt_conv_free(&fifth);
    now_code(good);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, good, &c), PAM_MAXTRIES);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "Too many attempts: try again in 15 minutes.") >= 0);
    pt_conv_free(&c);
    /* The account stage refuses a locked account too (e.g. ssh with a key). */
    struct pt_conv acct = {0};
    assert_int_equal(pt_pam("chorus-auth", user, &acct, PAMTEST_ACCOUNT), PAM_PERM_DENIED);
    assert_true(pt_conv_find(&acct, PAM_ERROR_MSG, "Too many attempts") >= 0);
    pt_conv_free(&acct);
}

static void test_unlock_lets_the_user_in_again(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char bad[16], good[16];
    wrong_code(bad);
    for (int i = 0; i < 6; i++) {
        struct pt_conv c = {0};
        assert_int_not_equal(auth_with(user, bad, &c), PAM_SUCCESS);
        pt_conv_free(&c);
    }
    now_code(good);
    struct pt_conv locked = {0};
    assert_int_equal(auth_with(user, good, &locked), PAM_MAXTRIES);
    pt_conv_free(&locked);
    pt_unlock(user);
    assert_int_equal(pt_failures(user), 0);
    struct pt_conv c = {0};
    assert_int_equal(auth_with(user, good, &c), PAM_SUCCESS);
    pt_conv_free(&c);
}

static void test_unknown_user_is_prompted_and_refused(void** state) {
    (void)state;
    base_config();
    char code[16];
    now_code(code);
    char name[64];
    snprintf(name, sizeof name, "chorus-pt-nobody-%d", (int)getpid());
    struct pt_conv c = {0};
    assert_int_equal(auth_with(name, code, &c), PAM_AUTH_ERR);
    assert_int_equal(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Verification code: "), 0);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "Wrong code.") >= 0);
    assert_int_equal(pt_state_files(), 0); /* guessing names does not create state */
    pt_conv_free(&c);
}

static void test_unenrolled_user_is_ignored_in_auth_without_a_prompt(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0};
    assert_int_equal(pt_pam("chorus-probe-ignore", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 0);
    assert_int_equal(pt_state_files(), 0);
    pt_conv_free(&c);
}

static void test_silent_flag_shows_no_text_and_decides_the_same(void** state) {
    (void)state;
    base_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char** codes = NULL;
    size_t count = 0;
    pt_recovery_codes(user, &codes, &count);
    char bad[16];
    wrong_code(bad);
    struct pt_conv c = {.echo_off = {bad}};
    assert_int_equal(pt_pam_flags("chorus-auth", user, &c, PAMTEST_AUTHENTICATE, PAM_SILENT), PAM_AUTH_ERR);
    assert_int_equal(pt_failures(user), 1);
    assert_int_equal(pt_conv_prompts(&c), 1); /* the code is still asked for */
    assert_int_equal(pt_conv_find(&c, PAM_TEXT_INFO, ""), -1);
    assert_int_equal(pt_conv_find(&c, PAM_ERROR_MSG, ""), -1);
    pt_conv_free(&c);
    struct pt_conv ok = {.echo_off = {codes[0]}};
    assert_int_equal(pt_pam_flags("chorus-auth", user, &ok, PAMTEST_AUTHENTICATE, PAM_SILENT), PAM_SUCCESS);
    assert_int_equal(pt_conv_find(&ok, PAM_TEXT_INFO, ""), -1);
    assert_int_equal(pt_conv_find(&ok, PAM_ERROR_MSG, ""), -1); /* no "Recovery code accepted" */
    pt_conv_free(&ok);
    /* Without the flag the same texts are shown. */
    struct pt_conv loud = {.echo_off = {codes[1]}};
    assert_int_equal(pt_pam("chorus-auth", user, &loud, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_true(pt_conv_find(&loud, PAM_TEXT_INFO, "Recovery code accepted") >= 0);
    pt_conv_free(&loud);
    chorus_strings_free(&codes, count);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_a_login_loads_no_registration_libraries),
        PT_TEST(test_correct_code_logs_in),
        PT_TEST(test_code_typed_with_a_space_is_accepted),
        PT_TEST(test_wrong_code_is_refused),
        PT_TEST(test_replayed_code_is_refused),
        PT_TEST(test_every_registered_app_logs_in),
        PT_TEST(test_empty_code_is_refused),
        PT_TEST(test_10kB_code_is_refused),
        PT_TEST(test_non_digit_code_is_refused),
        PT_TEST(test_recovery_code_logs_in_once),
        PT_TEST(test_five_wrong_codes_lock_the_account),
        PT_TEST(test_unlock_lets_the_user_in_again),
        PT_TEST(test_unknown_user_is_prompted_and_refused),
        PT_TEST(test_unenrolled_user_is_ignored_in_auth_without_a_prompt),
        PT_TEST(test_silent_flag_shows_no_text_and_decides_the_same),
    };
    return pt_main(argc, argv, "pam_auth", services, tests, sizeof tests / sizeof tests[0]);
}
