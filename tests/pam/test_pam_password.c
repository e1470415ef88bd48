/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so password: rules with the checklist, history after pam_unix, reset mode. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <crypt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chorus/chorus.h>

#define OLD_PASSWORD "Corr3ct-Horse"
#define NEW_PASSWORD "Tr1cky-Pass"

static const struct pt_service services[] = {
    /* The rules vet the new password; pam_unix sets it; the second instance records it. */
    {"pw-change",
     "password requisite @MODULE@ config=@CONFIG@\n"
     "password required pam_unix.so use_authtok nodelay sha512\n"
     "password required @MODULE@ config=@CONFIG@\n"},
    {"pw-reset",
     "password requisite @MODULE@ config=@CONFIG@ mode=reset\n"
     "password required pam_unix.so use_authtok nodelay sha512\n"
     "password required @MODULE@ config=@CONFIG@ mode=reset\n"},
    {"pw-explicit-change",
     "password requisite @MODULE@ config=@CONFIG@ mode=change\n"
     "password required pam_unix.so use_authtok nodelay sha512\n"
     "password required @MODULE@ config=@CONFIG@\n"},
    /* `required`: pam_unix runs even after a refusal, so the token must be gone. */
    {"pw-required",
     "password required @MODULE@ config=@CONFIG@\n"
     "password required pam_unix.so use_authtok nodelay sha512\n"
     "password required @MODULE@ config=@CONFIG@\n"},
    /* A retry on one handle: the first call is vetted, then fails after
     * pam_chorus (the step that fails once); the second call's password
     * comes from pam_set_items (as from pam_pwquality before pam_chorus). */
    {"pw-retry",
     "password required @WRAPMODS@/pam_set_items.so\n"
     "password requisite @MODULE@ config=@CONFIG@\n"
     "password requisite pam_exec.so quiet @DIR@/fail-once\n"
     "password required @MODULE@ config=@CONFIG@\n"},
    {NULL, NULL}};

static void config(void) {
    pt_config(
        "password:\n  min_length: 8\n  max_length: 16\n  min_classes: 3\n"
        "  history:\n    remember: 1\n    reset_allows_last: true\n"
        "    argon2:\n      t_cost: 1\n      m_cost_kib: 8192\n");
}

static int change(const char* service, const char* user, const char* password, struct pt_conv* c) {
    c->echo_off[0] = password;
    c->echo_off[1] = password;
    return pt_pam(service, user, c, PAMTEST_CHAUTHTOK);
}

static int shadow_matches(const char* user, const char* password) {
    char hash[512];
    snprintf(hash, sizeof hash, "%s", pt_shadow_hash(user));
    const char* again = crypt(password, hash);
    return again != NULL && strcmp(again, hash) == 0;
}

static void test_too_short_password_is_refused_with_the_checklist(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, "aB1!x", &c), PAM_AUTHTOK_ERR);
    int i = pt_conv_find(&c, PAM_ERROR_MSG, "The new password does not meet these rules:");
    assert_true(i >= 0);
    assert_non_null(strstr(c.msgs[i], "\n  - At least 8 characters"));
    assert_null(strstr(c.msgs[i], "of: lowercase")); /* met rules are not listed as unmet */
    assert_true(shadow_matches(user, OLD_PASSWORD));
    pt_conv_free(&c);
}

static void test_two_class_password_is_refused_with_the_checklist(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, "abcdefgh12", &c), PAM_AUTHTOK_ERR);
    int i = pt_conv_find(&c, PAM_ERROR_MSG, "The new password does not meet these rules:");
    assert_true(i >= 0);
    assert_non_null(strstr(c.msgs[i], "\n  - At least 3 of: lowercase, uppercase, digits, symbols"));
    assert_null(strstr(c.msgs[i], "At least 8 characters"));
    assert_true(shadow_matches(user, OLD_PASSWORD));
    pt_conv_free(&c);
}

static void test_every_unmet_rule_is_listed(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, "abc", &c), PAM_AUTHTOK_ERR);
    int i = pt_conv_find(&c, PAM_ERROR_MSG, "The new password does not meet these rules:");
    assert_true(i >= 0);
    assert_non_null(strstr(c.msgs[i], "At least 8 characters"));
    assert_non_null(strstr(c.msgs[i], "At least 3 of:"));
    pt_conv_free(&c);
}

static void test_refused_password_never_reaches_pam_unix(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    int rc = change("pw-required", user, "short", &c);
    assert_true(rc != PAM_SUCCESS && rc != PAM_IGNORE);
    assert_true(shadow_matches(user, OLD_PASSWORD));
    assert_false(shadow_matches(user, "short"));
    pt_conv_free(&c);
}

static void test_good_password_is_set_and_recorded(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    assert_false(pt_has_state(user));
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, NEW_PASSWORD, &c), PAM_SUCCESS);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "") < 0);
    assert_int_equal(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "New password"), 0);
    assert_true(shadow_matches(user, NEW_PASSWORD));
    assert_true(pt_has_state(user)); /* the history entry */
    pt_conv_free(&c);
}

static const char* retry_answer;
static int retry_conv(int n, const struct pam_message** msg, struct pam_response** resp, void* arg) {
    (void)arg;
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; i++)
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) r[i].resp = strdup(retry_answer);
    *resp = r;
    return PAM_SUCCESS;
}

/* The first instance's "vetted" mark is for the password it vetted in that
 * call: a second pam_chauthtok on the same handle (an application retrying
 * after a later module failed) must have its password vetted, not recorded
 * and passed as if checked already. */
static void test_a_retry_on_the_same_handle_is_vetted_again(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    FILE* f = fopen(pt_path("fail-once"), "we");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n[ -e %s ] && exit 0\n: > %s\nexit 1\n", pt_path("failed-once"),
            pt_path("failed-once"));
    fclose(f);
    assert_int_equal(chmod(pt_path("fail-once"), 0700), 0);
    unlink(pt_path("failed-once"));

    const struct pam_conv conv = {retry_conv, NULL};
    pam_handle_t* pamh = NULL;
    int lock = pt_wrapper_lock();
    assert_int_equal(pam_start("pw-retry", user, &conv, &pamh), PAM_SUCCESS);
    pt_wrapper_unlock(lock);
    retry_answer = NEW_PASSWORD;
    setenv("PAM_AUTHTOK", NEW_PASSWORD, 1);
    int first = pam_chauthtok(pamh, 0);
    setenv("PAM_AUTHTOK", "weak", 1);
    retry_answer = "weak";
    int second = pam_chauthtok(pamh, 0);
    /* And a good password on a third try goes through: a retry is a new change,
     * neither waved through nor refused for what an earlier call left. */
    setenv("PAM_AUTHTOK", NEW_PASSWORD, 1);
    retry_answer = NEW_PASSWORD;
    int third = pam_chauthtok(pamh, 0);
    unsetenv("PAM_AUTHTOK");
    pam_end(pamh, third);
    assert_int_not_equal(first, PAM_SUCCESS); /* the step that fails once */
    assert_int_equal(second, PAM_AUTHTOK_ERR);
    assert_int_equal(third, PAM_SUCCESS);
}

static void test_mismatched_retype_is_refused(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {.echo_off = {NEW_PASSWORD, NEW_PASSWORD "x"}};
    int rc = pt_pam("pw-change", user, &c, PAMTEST_CHAUTHTOK);
    assert_true(rc != PAM_SUCCESS && rc != PAM_IGNORE);
    assert_true(shadow_matches(user, OLD_PASSWORD));
    pt_conv_free(&c);
}

static void test_reusing_the_last_password_is_refused_on_change(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, NEW_PASSWORD, &c), PAM_SUCCESS);
    pt_conv_free(&c);
    pt_set_password(user, OLD_PASSWORD); /* changed elsewhere; history still holds NEW */
    struct pt_conv again = {0};
    assert_int_equal(change("pw-change", user, NEW_PASSWORD, &again), PAM_AUTHTOK_ERR);
    assert_true(pt_conv_find(&again, PAM_ERROR_MSG, "") >= 0);
    assert_true(shadow_matches(user, OLD_PASSWORD));
    pt_conv_free(&again);
    /* mode=change, spelled out, is the same. */
    struct pt_conv expl = {0};
    assert_int_equal(change("pw-explicit-change", user, NEW_PASSWORD, &expl), PAM_AUTHTOK_ERR);
    pt_conv_free(&expl);
}

static void test_reset_mode_allows_the_last_password(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    assert_int_equal(change("pw-change", user, NEW_PASSWORD, &c), PAM_SUCCESS);
    pt_conv_free(&c);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv reset = {0};
    assert_int_equal(change("pw-reset", user, NEW_PASSWORD, &reset), PAM_SUCCESS);
    assert_true(shadow_matches(user, NEW_PASSWORD));
    pt_conv_free(&reset);
    /* Reset mode still applies the rules. */
    struct pt_conv weak = {0};
    assert_int_equal(change("pw-reset", user, "abc", &weak), PAM_AUTHTOK_ERR);
    pt_conv_free(&weak);
}

static void lax_for_root_config(void) {
    pt_config(
        "password:\n  min_length: 8\n  min_classes: 3\n  enforce_for_root: false\n"
        "  history:\n    argon2:\n      t_cost: 1\n      m_cost_kib: 8192\n");
}

static void test_root_setting_a_password_may_skip_the_rules(void** state) {
    (void)state;
    lax_for_root_config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    struct pt_conv c = {0};
    /* These tests run as root: `passwd USER` by an admin. */
    assert_int_equal(change("pw-change", user, "abc", &c), PAM_SUCCESS);
    assert_true(shadow_matches(user, "abc"));
    pt_conv_free(&c);
}

static void test_expired_password_changed_at_login_meets_the_rules(void** state) {
    (void)state;
    lax_for_root_config();
    const char* user = pt_user_add(NULL);
    pt_set_password(user, OLD_PASSWORD);
    /* sshd and login run as root too, but with PAM_CHANGE_EXPIRED_AUTHTOK:
     * the user's own change, so enforce_for_root: false must not apply. */
    struct pt_conv c = {.echo_off = {OLD_PASSWORD, "abc", "abc"}}; /* pam_unix asks the old one */
    struct pam_testcase cases[] = {
        pam_test_flags(PAMTEST_CHAUTHTOK, PAM_AUTHTOK_ERR, PAM_CHANGE_EXPIRED_AUTHTOK)};
    pt_expect("pw-change", user, &c, cases);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "The new password does not meet these rules:") >= 0);
    assert_true(shadow_matches(user, OLD_PASSWORD));
    pt_conv_free(&c);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_too_short_password_is_refused_with_the_checklist),
        PT_TEST(test_two_class_password_is_refused_with_the_checklist),
        PT_TEST(test_every_unmet_rule_is_listed),
        PT_TEST(test_refused_password_never_reaches_pam_unix),
        PT_TEST(test_good_password_is_set_and_recorded),
        PT_TEST(test_mismatched_retype_is_refused),
        PT_TEST(test_a_retry_on_the_same_handle_is_vetted_again),
        PT_TEST(test_reusing_the_last_password_is_refused_on_change),
        PT_TEST(test_reset_mode_allows_the_last_password),
        PT_TEST(test_root_setting_a_password_may_skip_the_rules),
        PT_TEST(test_expired_password_changed_at_login_meets_the_rules),
    };
    return pt_main(argc, argv, "pam_password", services, tests, sizeof tests / sizeof tests[0]);
}
