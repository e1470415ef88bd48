/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so module arguments, and broken configuration failing closed. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chorus/chorus.h>

#define PASSWORD "Corr3ct-Horse"

static const struct pt_service services[] = {
    /* The account line names another file: it must get its own context. */
    {"opt-two-files",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@DIR@/required.yaml\n"},
    {"opt-one-handle",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    {"opt-unknown",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@ frobnicate\n"
     "account required @MODULE@ config=@CONFIG@ frobnicate\n"
     "password required @MODULE@ config=@CONFIG@ frobnicate\n"},
    {"opt-relative-config",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=chorus.yaml\n"},
    {"opt-debug",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@ debug\n"
     "account required @MODULE@ config=@CONFIG@ debug\n"},
    /* A first module that collected "password + code" in one answer (pam_set_items sets PAM_AUTHTOK). */
    {"opt-use-first-pass",
     "auth required @WRAPMODS@/pam_set_items.so\n"
     "auth required @MODULE@ config=@CONFIG@ use_first_pass\n"
     "auth required pam_unix.so use_first_pass nodelay\n"},
    {"opt-try-first-pass",
     "auth required @WRAPMODS@/pam_set_items.so\n"
     "auth required @MODULE@ config=@CONFIG@ try_first_pass\n"
     "auth required pam_unix.so try_first_pass nodelay\n"},
    {"opt-forward-pass",
     "auth required @MODULE@ config=@CONFIG@ forward_pass\n"
     "auth required pam_unix.so use_first_pass nodelay\n"},
    {"opt-qr-utf8", "account required @MODULE@ config=@CONFIG@ qr=utf8\n"},
    {"opt-qr-ansi", "account required @MODULE@ config=@CONFIG@ qr=ansi\n"},
    {"opt-qr-ascii", "account required @MODULE@ config=@CONFIG@ qr=ascii\n"},
    /* pam_permit first: a module that answered PAM_IGNORE here would let everyone in. */
    {"broken-required",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@DIR@/broken/chorus.yaml\n"
     "account required pam_permit.so\n"
     "account required @MODULE@ config=@DIR@/broken/chorus.yaml\n"
     "password required @MODULE@ config=@DIR@/broken/chorus.yaml\n"},
    {"broken-sufficient",
     "auth sufficient @MODULE@ config=@DIR@/broken/chorus.yaml\n"
     "auth required pam_deny.so\n"
     "account sufficient @MODULE@ config=@DIR@/broken/chorus.yaml\n"
     "account required pam_deny.so\n"},
    {NULL, NULL}};

static void code_now(char out[16]) {
    pt_totp(PT_SECRET, time(NULL), out);
}

static void test_unknown_option_is_a_service_error(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0};
    assert_int_equal(pt_pam("opt-unknown", user, &c, PAMTEST_AUTHENTICATE), PAM_SERVICE_ERR);
    assert_int_equal(pt_pam("opt-unknown", user, &c, PAMTEST_ACCOUNT), PAM_SERVICE_ERR);
    assert_int_equal(pt_pam("opt-unknown", user, &c, PAMTEST_CHAUTHTOK), PAM_SERVICE_ERR);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);
}

static void test_relative_config_path_is_a_service_error(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0};
    assert_int_equal(pt_pam("opt-relative-config", user, &c, PAMTEST_AUTHENTICATE), PAM_SERVICE_ERR);
    pt_conv_free(&c);
}

static void test_config_option_names_the_file_used(void** state) {
    (void)state;
    /* otp.digits: 8 in this file only: the module must be reading it. */
    pt_config("otp:\n  digits: 8\n");
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char six[16];
    code_now(six);
    struct pt_conv c = {.echo_off = {six}};
    assert_int_equal(pt_pam("opt-debug", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    pt_conv_free(&c);
}

static void test_debug_option_logs_the_decision(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    /* pam_wrapper prints pam_syslog() lines on stderr at its debug level. */
    fflush(stderr);
    int saved = dup(2);
    int fd = open(pt_path("debug.log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    dup2(fd, 2);
    setenv("PAM_WRAPPER_DEBUGLEVEL", "4", 1);
    struct pt_conv c = {0};
    int rc = pt_pam("opt-debug", user, &c, PAMTEST_AUTHENTICATE);
    setenv("PAM_WRAPPER_DEBUGLEVEL", "0", 1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    assert_int_equal(rc, PAM_SUCCESS);
    FILE* f = fopen(pt_path("debug.log"), "re");
    assert_non_null(f);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (strstr(buf, "has no second factor yet") == NULL) {
        fprintf(stderr, "debug output:\n%s\n", buf);
        fail();
    }
    pt_conv_free(&c);
}

static void test_use_first_pass_takes_password_and_code_from_the_first_module(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    pt_enroll(user, PT_SECRET);
    char code[16], combined[64];
    code_now(code);
    snprintf(combined, sizeof combined, "%s%s", PASSWORD, code);
    setenv("PAM_AUTHTOK", combined, 1);
    struct pt_conv c = {0};
    int rc = pt_pam("opt-use-first-pass", user, &c, PAMTEST_AUTHENTICATE);
    unsetenv("PAM_AUTHTOK");
    assert_int_equal(rc, PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);

    /* Right password, wrong code. */
    char next[16];
    pt_totp(PT_SECRET, time(NULL) + 30, next);
    next[5] = next[5] == '0' ? '1' : '0';
    snprintf(combined, sizeof combined, "%s%s", PASSWORD, next);
    setenv("PAM_AUTHTOK", combined, 1);
    struct pt_conv w = {0};
    rc = pt_pam("opt-use-first-pass", user, &w, PAMTEST_AUTHENTICATE);
    unsetenv("PAM_AUTHTOK");
    assert_int_equal(rc, PAM_AUTH_ERR);
    pt_conv_free(&w);
}

static void test_use_first_pass_without_a_password_fails_without_prompting(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    pt_enroll(user, PT_SECRET);
    unsetenv("PAM_AUTHTOK");
    struct pt_conv c = {0};
    assert_int_equal(pt_pam("opt-use-first-pass", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);
}

static void test_try_first_pass_prompts_when_there_is_no_password(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    pt_enroll(user, PT_SECRET);
    unsetenv("PAM_AUTHTOK");
    char code[16];
    code_now(code);
    struct pt_conv c = {.echo_off = {code, PASSWORD}};
    assert_int_equal(pt_pam("opt-try-first-pass", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_int_equal(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Verification code: "), 0);
    pt_conv_free(&c);

    /* With a combined password present, it is split as with use_first_pass. */
    char next[16], combined[64];
    pt_totp(PT_SECRET, time(NULL) + 30, next);
    snprintf(combined, sizeof combined, "%s%s", PASSWORD, next);
    setenv("PAM_AUTHTOK", combined, 1);
    struct pt_conv s = {0};
    int rc = pt_pam("opt-try-first-pass", user, &s, PAMTEST_AUTHENTICATE);
    unsetenv("PAM_AUTHTOK");
    assert_int_equal(rc, PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&s), 0);
    pt_conv_free(&s);
}

static void test_forward_pass_asks_once_and_hands_the_password_on(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    pt_enroll(user, PT_SECRET);
    char code[16], combined[64];
    code_now(code);
    snprintf(combined, sizeof combined, "%s%s", PASSWORD, code);
    struct pt_conv c = {.echo_off = {combined}};
    assert_int_equal(pt_pam("opt-forward-pass", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 1);
    assert_int_equal(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Password and verification code: "), 0);
    pt_conv_free(&c);

    /* A wrong password with a right code: pam_unix refuses it. */
    char next[16];
    pt_totp(PT_SECRET, time(NULL) + 30, next);
    snprintf(combined, sizeof combined, "x%s%s", PASSWORD, next);
    struct pt_conv w = {.echo_off = {combined}};
    assert_int_equal(pt_pam("opt-forward-pass", user, &w, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    pt_conv_free(&w);

    /* Shorter than a code. */
    struct pt_conv s = {.echo_off = {"123"}};
    assert_int_equal(pt_pam("opt-forward-pass", user, &s, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    pt_conv_free(&s);
}

/*
 * Regression: forward_pass (and use_first_pass/try_first_pass) once cut the
 * last otp.digits characters off the typed value before knowing whether the
 * user had a method, so a user without one (nullok, optional, grace, exempt
 * groups) handed pam_unix a truncated password. The module now puts the
 * whole value back when no code was due.
 */
static void test_forward_pass_user_without_a_method_logs_in_with_the_password(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    struct pt_conv c = {.echo_off = {PASSWORD}};
    int rc = pt_pam("opt-forward-pass", user, &c, PAMTEST_AUTHENTICATE);
    assert_int_equal(rc, PAM_SUCCESS);
    pt_conv_free(&c);
}

/* Registration with nobody answering: the QR code is drawn, then the login is refused. */
static const char* qr_text(const char* service, struct pt_conv* c) {
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    assert_int_equal(pt_pam(service, user, c, PAMTEST_ACCOUNT), PAM_PERM_DENIED);
    int head = pt_conv_find(c, PAM_TEXT_INFO, "Scan this QR code");
    assert_true(head >= 0 && (size_t)head + 1 < c->n);
    return c->msgs[head + 1];
}

static void test_qr_utf8_draws_half_blocks(void** state) {
    (void)state;
    struct pt_conv c = {0};
    const char* qr = qr_text("opt-qr-utf8", &c);
    assert_non_null(strstr(qr, "\xe2\x96"));
    assert_null(strchr(qr, '\x1b'));
    pt_conv_free(&c);
}

static void test_qr_ansi_draws_with_colours(void** state) {
    (void)state;
    struct pt_conv c = {0};
    const char* qr = qr_text("opt-qr-ansi", &c);
    assert_non_null(strstr(qr, "\x1b["));
    pt_conv_free(&c);
}

static void test_qr_ascii_draws_plain_ascii(void** state) {
    (void)state;
    struct pt_conv c = {0};
    const char* qr = qr_text("opt-qr-ascii", &c);
    assert_non_null(strchr(qr, '#'));
    for (const unsigned char* p = (const unsigned char*)qr; *p; p++) assert_true(*p < 0x80 && *p != 0x1b);
    pt_conv_free(&c);
}

/* ---- broken configuration: fail closed, whatever the stacking ------------ */

static void broken_config(const char* text, mode_t mode) {
    mkdir(pt_path("broken"), 0700);
    chmod(pt_path("broken"), 0700);
    const char* path = pt_path("broken/chorus.yaml");
    unlink(path);
    if (text == NULL) return; /* missing */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void expect_fail_closed(void) {
    pt_config("enrollment:\n  policy: nullok\n");
    const char* unenrolled = pt_user_add(NULL);
    const char* enrolled = pt_user_add(NULL);
    pt_enroll(enrolled, PT_SECRET);
    const char* users[] = {unenrolled, enrolled, "chorus-pt-no-such-user"};
    for (size_t i = 0; i < 3; i++) {
        char code[16];
        code_now(code);
        struct pt_conv c = {.echo_off = {code}};
        int rc = pt_pam("broken-required", users[i], &c, PAMTEST_AUTHENTICATE);
        if (rc != PAM_AUTHINFO_UNAVAIL) {
            fprintf(stderr, "auth required, user %s: %s\n", users[i], pt_pam_name(rc));
            fail();
        }
        rc = pt_pam("broken-required", users[i], &c, PAMTEST_ACCOUNT);
        assert_true(rc != PAM_SUCCESS && rc != PAM_IGNORE);
        rc = pt_pam("broken-sufficient", users[i], &c, PAMTEST_AUTHENTICATE);
        assert_true(rc != PAM_SUCCESS && rc != PAM_IGNORE);
        rc = pt_pam("broken-sufficient", users[i], &c, PAMTEST_ACCOUNT);
        assert_true(rc != PAM_SUCCESS && rc != PAM_IGNORE);
        /* No prompt was made on a config the module could not trust. */
        assert_int_equal(pt_conv_prompts(&c), 0);
        pt_conv_free(&c);
    }
}

static void test_config_with_unknown_key_fails_closed(void** state) {
    (void)state;
    char text[512];
    snprintf(text, sizeof text, "store:\n  path: %s\nenrollment:\n  policy: nullok\n  polcy: required\n",
             pt_path("state"));
    broken_config(text, 0600);
    expect_fail_closed();
}

static void test_config_with_out_of_range_value_fails_closed(void** state) {
    (void)state;
    char text[512];
    snprintf(text, sizeof text, "store:\n  path: %s\notp:\n  digits: 12\n", pt_path("state"));
    broken_config(text, 0600);
    expect_fail_closed();
}

static void test_missing_explicit_config_fails_closed(void** state) {
    (void)state;
    broken_config(NULL, 0);
    expect_fail_closed();
}

static void test_group_writable_config_fails_closed(void** state) {
    (void)state;
    char text[512];
    snprintf(text, sizeof text, "store:\n  path: %s\nenrollment:\n  policy: nullok\n", pt_path("state"));
    broken_config(text, 0620);
    expect_fail_closed();
}

static void test_config_in_world_writable_directory_fails_closed(void** state) {
    (void)state;
    char text[512];
    snprintf(text, sizeof text, "store:\n  path: %s\nenrollment:\n  policy: nullok\n", pt_path("state"));
    broken_config(text, 0600);
    assert_int_equal(chmod(pt_path("broken"), 0777), 0);
    expect_fail_closed();
    chmod(pt_path("broken"), 0700);
}

static void test_unusable_state_directory_fails_closed(void** state) {
    (void)state;
    char text[512];
    /* The state directory is a regular file. */
    FILE* f = fopen(pt_path("not-a-dir"), "we");
    assert_non_null(f);
    fclose(f);
    snprintf(text, sizeof text, "store:\n  path: %s\nenrollment:\n  policy: nullok\n", pt_path("not-a-dir"));
    broken_config(text, 0600);
    expect_fail_closed();
}

static int answer_nothing(int n, const struct pam_message** msg, struct pam_response** resp, void* arg) {
    (void)msg, (void)arg;
    *resp = calloc((size_t)n, sizeof **resp);
    return *resp != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

/* The configuration is read once per PAM handle: the account stage uses
 * the context the auth stage made (a file replaced in between does not
 * change a login under way), and the next handle reads the file again. */
static void test_configuration_is_read_once_per_handle(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    const struct pam_conv conv = {answer_nothing, NULL};
    pam_handle_t* pamh = NULL;
    int lock = pt_wrapper_lock();
    assert_int_equal(pam_start("opt-one-handle", user, &conv, &pamh), PAM_SUCCESS);
    pt_wrapper_unlock(lock);
    assert_int_equal(pam_authenticate(pamh, 0), PAM_SUCCESS);
    FILE* f = fopen(pt_config_path(), "we");
    assert_non_null(f);
    fputs("otp: [broken\n", f);
    fclose(f);
    assert_int_equal(pam_acct_mgmt(pamh, 0), PAM_SUCCESS);
    pam_end(pamh, PAM_SUCCESS);
    /* A new login reads the file, now broken: denied. */
    struct pt_conv c = {0};
    assert_int_equal(pt_pam("opt-one-handle", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&c);
}

/* Stages of one handle share a context only when they name the same file. */
static void test_a_stage_naming_another_file_reads_that_file(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    /* The same state directory, another policy. */
    char body[1024];
    snprintf(body, sizeof body, "store:\n  path: %s\nenrollment:\n  policy: required\n", pt_path("state"));
    FILE* f = fopen(pt_path("required.yaml"), "we");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    assert_int_equal(chmod(pt_path("required.yaml"), 0600), 0);
    const char* user = pt_user_add(NULL);
    const struct pam_conv conv = {answer_nothing, NULL};
    pam_handle_t* pamh = NULL;
    int lock = pt_wrapper_lock();
    assert_int_equal(pam_start("opt-two-files", user, &conv, &pamh), PAM_SUCCESS);
    pt_wrapper_unlock(lock);
    assert_int_equal(pam_authenticate(pamh, 0), PAM_SUCCESS);  /* nullok: no code */
    assert_int_equal(pam_acct_mgmt(pamh, 0), PAM_PERM_DENIED); /* required: must register */
    pam_end(pamh, PAM_SUCCESS);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_unknown_option_is_a_service_error),
        PT_TEST(test_configuration_is_read_once_per_handle),
        PT_TEST(test_a_stage_naming_another_file_reads_that_file),
        PT_TEST(test_relative_config_path_is_a_service_error),
        PT_TEST(test_config_option_names_the_file_used),
        PT_TEST(test_debug_option_logs_the_decision),
        PT_TEST(test_use_first_pass_takes_password_and_code_from_the_first_module),
        PT_TEST(test_use_first_pass_without_a_password_fails_without_prompting),
        PT_TEST(test_try_first_pass_prompts_when_there_is_no_password),
        PT_TEST(test_forward_pass_asks_once_and_hands_the_password_on),
        PT_TEST(test_forward_pass_user_without_a_method_logs_in_with_the_password),
        PT_TEST(test_qr_utf8_draws_half_blocks),
        PT_TEST(test_qr_ansi_draws_with_colours),
        PT_TEST(test_qr_ascii_draws_plain_ascii),
        PT_TEST(test_config_with_unknown_key_fails_closed),
        PT_TEST(test_config_with_out_of_range_value_fails_closed),
        PT_TEST(test_missing_explicit_config_fails_closed),
        PT_TEST(test_group_writable_config_fails_closed),
        PT_TEST(test_config_in_world_writable_directory_fails_closed),
        PT_TEST(test_unusable_state_directory_fails_closed),
    };
    return pt_main(argc, argv, "pam_options", services, tests, sizeof tests / sizeof tests[0]);
}
