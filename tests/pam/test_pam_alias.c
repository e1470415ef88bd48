/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A user directory that answers to more than one spelling of a name (SSSD
 * with case_sensitive = false, "alice@DOMAIN"): the module must key state on
 * the account's own name, or every other spelling looks unregistered, skips
 * the code and may even register a new authenticator for the account.
 *
 * This program stands in for such a directory: its getpwnam_r (exported,
 * so libchorusauth and libpam bind to it) resolves an upper-case test name
 * to the lower-case account and returns that account's own pw_name.
 */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <ctype.h>
#include <dlfcn.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <chorus/chorus.h>

typedef int (*getpwnam_r_fn)(const char*, struct passwd*, char*, size_t, struct passwd**);

__attribute__((visibility("default"))) int getpwnam_r(const char* name, struct passwd* pw, char* buf,
                                                      size_t len, struct passwd** result) {
    static getpwnam_r_fn real;
    if (real == NULL) real = (getpwnam_r_fn)dlsym(RTLD_NEXT, "getpwnam_r");
    /* A directory that fails (an LDAP server down): an error, not "no such user". */
    if (strncmp(name, "chorus-nss-down", 15) == 0) {
        *result = NULL;
        return EIO;
    }
    char lower[256];
    if (strncmp(name, "CHORUS-PT-", 10) == 0 && strlen(name) < sizeof lower) {
        size_t i = 0;
        for (; name[i]; i++) lower[i] = (char)tolower((unsigned char)name[i]);
        lower[i] = '\0';
        name = lower;
    }
    return real(name, pw, buf, len, result);
}

static const struct pt_service services[] = {
    {"chorus-alias",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    {"alias-pw",
     "password requisite @MODULE@ config=@CONFIG@\n"
     "password required pam_unix.so use_authtok nodelay sha512\n"
     "password required @MODULE@ config=@CONFIG@\n"},
    /* pam_unix's own checks know one spelling only: vetting alone. */
    {"alias-vet",
     "password requisite @MODULE@ config=@CONFIG@\n"
     "password required pam_permit.so\n"},
    {NULL, NULL}};

/* The other spelling of a test account's name. */
static const char* alias_of(const char* user) {
    static char buf[256];
    size_t i = 0;
    for (; user[i] && i + 1 < sizeof buf; i++) buf[i] = (char)toupper((unsigned char)user[i]);
    buf[i] = '\0';
    return buf;
}

static void required_config(void) {
    pt_config("enrollment:\n  policy: required\nlockout:\n  max_failures: 5\n  lock_seconds: 900\n");
}

static void test_the_directory_resolves_the_alias(void** state) {
    (void)state;
    const char* user = pt_user_add(NULL);
    struct passwd pw, *found = NULL;
    char buf[4096];
    assert_int_equal(getpwnam_r(alias_of(user), &pw, buf, sizeof buf, &found), 0);
    assert_non_null(found);
    assert_string_equal(pw.pw_name, user);
}

static void test_alias_of_an_enrolled_user_is_asked_for_the_code(void** state) {
    (void)state;
    required_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    struct pt_conv c = {.echo_off = {"000000"}};
    /* Without the fix: no state under the alias, PAM_IGNORE, pam_permit lets it in. */
    assert_int_equal(pt_pam("chorus-alias", alias_of(user), &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_int_equal(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Verification code: "), 0);
    pt_conv_free(&c);
    assert_int_equal(pt_failures(user), 1); /* counted on the account itself */
    assert_int_equal(pt_has_state(alias_of(user)), 0);
}

static void test_a_code_used_under_the_alias_is_spent_for_the_account(void** state) {
    (void)state;
    required_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    char code[16];
    pt_totp(PT_SECRET, time(NULL), code);
    struct pt_conv c = {.echo_off = {code}};
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                   pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-alias", alias_of(user), &c, cases);
    assert_int_equal(pt_conv_prompts(&c), 1); /* the code, and no registration */
    pt_conv_free(&c);
    struct pt_conv again = {.echo_off = {code}};
    assert_int_equal(pt_pam("chorus-alias", user, &again, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_true(pt_conv_find(&again, PAM_ERROR_MSG, "Code expired or already used") >= 0);
    pt_conv_free(&again);
    assert_int_equal(pt_has_state(alias_of(user)), 0);
}

static void test_alias_of_an_unregistered_user_registers_the_account(void** state) {
    (void)state;
    required_config();
    const char* user = pt_user_add(NULL);
    /* The registration is refused here (no answer to its prompts); what
     * matters is whose registration it was: the account's, never the alias's. */
    struct pt_conv c = {0};
    int rc = pt_pam("chorus-alias", alias_of(user), &c, PAMTEST_ACCOUNT);
    assert_int_not_equal(rc, PAM_SUCCESS);
    char label[300];
    snprintf(label, sizeof label, "otpauth://totp/Chorus:%s?", user);
    if (pt_conv_find(&c, -1, label) < 0) {
        pt_conv_dump(&c);
        fail_msg("the key was not offered for %s", user);
    }
    pt_conv_free(&c);
    assert_int_equal(pt_has_state(alias_of(user)), 0);
}

static void test_password_history_is_the_accounts_under_any_spelling(void** state) {
    (void)state;
    pt_config(
        "password:\n  min_length: 8\n  history:\n    remember: 3\n"
        "    argon2:\n      t_cost: 1\n      m_cost_kib: 8192\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, "Old-pass-1234");
    const char* pw = "Brand-new-5678";
    struct pt_conv c = {.echo_off = {pw, pw}};
    assert_int_equal(pt_pam("alias-pw", user, &c, PAMTEST_CHAUTHTOK), PAM_SUCCESS);
    pt_conv_free(&c);
    /* The same password again, asked for under the other spelling: refused
     * from the account's history. */
    struct pt_conv again = {.echo_off = {pw, pw}};
    int rc = pt_pam("alias-vet", alias_of(user), &again, PAMTEST_CHAUTHTOK);
    if (rc == PAM_SUCCESS || pt_conv_find(&again, PAM_ERROR_MSG, "Not one of your last 3 passwords") < 0) {
        pt_conv_dump(&again);
        fail_msg("the history of %s was not consulted (%s)", user, pt_pam_name(rc));
    }
    pt_conv_free(&again);
}

/* State written under the typed spelling (before state was keyed on the
 * account's own name) must not be passed over as "unregistered". */
static void test_state_left_under_the_typed_spelling_is_refused(void** state) {
    (void)state;
    required_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(alias_of(user), PT_SECRET); /* the admin API takes names as given */
    char code[16];
    pt_totp(PT_SECRET, time(NULL), code);
    struct pt_conv c = {.echo_off = {code}};
    assert_int_equal(pt_pam("chorus-alias", alias_of(user), &c, PAMTEST_AUTHENTICATE), PAM_SERVICE_ERR);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);
    struct pt_conv acct = {0};
    assert_int_equal(pt_pam("chorus-alias", alias_of(user), &acct, PAMTEST_ACCOUNT), PAM_SERVICE_ERR);
    assert_true(pt_conv_find(&acct, -1, "otpauth://") < 0); /* no registration offered */
    pt_conv_free(&acct);
    assert_int_equal(pt_has_state(user), 0);
}

/* A directory that cannot answer is neither "no such user" nor "no method
 * registered" (PAM_IGNORE, which the pam_permit before would turn into a
 * login): both stages deny. */
static void test_a_failing_user_directory_denies(void** state) {
    (void)state;
    required_config();
    struct pt_conv c = {.echo_off = {"123456"}};
    assert_int_equal(pt_pam("chorus-alias", "chorus-nss-down-1", &c, PAMTEST_AUTHENTICATE),
                     PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&c);
    struct pt_conv a = {0};
    assert_int_equal(pt_pam("chorus-alias", "chorus-nss-down-1", &a, PAMTEST_ACCOUNT), PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&a);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_the_directory_resolves_the_alias),
        PT_TEST(test_alias_of_an_enrolled_user_is_asked_for_the_code),
        PT_TEST(test_a_code_used_under_the_alias_is_spent_for_the_account),
        PT_TEST(test_alias_of_an_unregistered_user_registers_the_account),
        PT_TEST(test_password_history_is_the_accounts_under_any_spelling),
        PT_TEST(test_state_left_under_the_typed_spelling_is_refused),
        PT_TEST(test_a_failing_user_directory_denies),
    };
    return pt_main(argc, argv, "pam_alias", services, tests, sizeof tests / sizeof tests[0]);
}
