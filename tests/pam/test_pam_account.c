/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so account: registration at login, enrollment policies, group rules,
 * and that registration is never reachable without the first factor. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chorus/chorus.h>

#define PASSWORD "Corr3ct-Horse"

static const struct pt_service services[] = {
    {"chorus-acct",
     "auth required pam_permit.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    /* The seed stack: the password first, then the code; registration in account. */
    {"chorus-first-factor",
     "auth required pam_unix.so nodelay\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    {NULL, NULL}};

/* ---- a person registering: reads the key it is shown, types codes -------- */

struct reg {
    char secret[128];
    int code_prompts;
    int wrong_first; /* answer the first confirmation prompt with a wrong code */
    int skip;        /* answer the confirmation prompt with Enter */
    /* Before answering the confirmation prompt, the owner registers this
     * account in another session (its key PT_SECRET). */
    const char* owner_registers;
};

static void secret_from_transcript(struct pt_conv* c, struct reg* r) {
    int i = pt_conv_find(c, PAM_TEXT_INFO, "Key URI: otpauth://totp/");
    if (i < 0) return;
    const char* s = strstr(c->msgs[i], "secret=");
    if (s == NULL) return;
    s += 7;
    size_t n = strcspn(s, "&");
    snprintf(r->secret, sizeof r->secret, "%.*s", (int)n, s);
}

static char* reg_hook(struct pt_conv* c, int style, const char* prompt) {
    struct reg* r = c->hook_arg;
    if (style != PAM_PROMPT_ECHO_ON) return NULL;
    if (strstr(prompt, "-digit code from your app")) {
        if (r->skip) return strdup("");
        secret_from_transcript(c, r);
        if (r->owner_registers != NULL) pt_enroll(r->owner_registers, PT_SECRET);
        char code[16];
        pt_totp(r->secret, time(NULL), code);
        if (r->wrong_first && r->code_prompts++ == 0) code[0] = code[0] == '9' ? '0' : (char)(code[0] + 1);
        return strdup(code);
    }
    if (strstr(prompt, "Phone number")) return strdup("+6421555123");
    if (strstr(prompt, "Email address")) return strdup("pt@example.org");
    return NULL;
}

static void test_registration_at_account_stage_walks_through_and_the_key_works(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n  recovery_codes: 4\n");
    const char* user = pt_user_add(NULL);
    struct reg r = {.wrong_first = 1};
    struct pt_conv c = {.hook = reg_hook, .hook_arg = &r};
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                   pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-acct", user, &c, cases);

    /* The whole conversation, in order. */
    const char* expected[] = {"Set up two-step verification for",
                              "\xe2\x96" /* UTF-8 half blocks */,
                              "Or enter this key by hand: ",
                              "Key URI: otpauth://totp/",
                              "Enter the 6-digit code from your app: ",
                              "That code does not match",
                              "Enter the 6-digit code from your app: ",
                              "Your authenticator app is registered.",
                              "Phone number",
                              "Email address",
                              "Recovery codes:",
                              "Two-step verification is set up."};
    size_t at = 0;
    for (size_t i = 0; i < c.n && at < sizeof expected / sizeof expected[0]; i++)
        if (strstr(c.msgs[i], expected[at])) at++;
    if (at != sizeof expected / sizeof expected[0]) {
        fprintf(stderr, "missing step %zu: %s\n", at, expected[at]);
        pt_conv_dump(&c);
        fail();
    }
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Verification code") < 0); /* auth did not ask */
    assert_true(strlen(r.secret) >= 32);

    /* The key is grouped in fours for typing. */
    int k = pt_conv_find(&c, PAM_TEXT_INFO, "Or enter this key by hand: ");
    assert_non_null(strstr(c.msgs[k], " "));

    /* A recovery code shown once. */
    int rc_msg = pt_conv_find(&c, PAM_TEXT_INFO, "Recovery codes:");
    char recovery[32] = "";
    const char* line = strstr(c.msgs[rc_msg], "\n    ");
    assert_non_null(line);
    sscanf(line + 5, "%31s", recovery);
    assert_int_equal(strlen(recovery), 14);
    pt_conv_free(&c);

    /* The saved key works at the next login (the confirmation step is spent: take the next). */
    char next[16];
    pt_totp(r.secret, time(NULL) + 30, next);
    struct pt_conv login = {.echo_off = {next}};
    struct pam_testcase again[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                   pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-acct", user, &login, again);
    assert_int_equal(pt_conv_find(&login, PAM_PROMPT_ECHO_OFF, "Verification code: "), 0);
    assert_true(pt_conv_find(&login, PAM_TEXT_INFO, "Set up two-step") < 0);
    pt_conv_free(&login);

    /* So does a recovery code, and the phone was saved. */
    struct pt_conv rec = {.echo_off = {recovery}};
    assert_int_equal(pt_pam("chorus-acct", user, &rec, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    pt_conv_free(&rec);
}

static void test_wrong_password_never_reaches_registration(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    pt_set_password(user, PASSWORD);
    struct reg r = {0};
    struct pt_conv c = {.echo_off = {"not-" PASSWORD}, .hook = reg_hook, .hook_arg = &r};
    /* As sshd and login do: pam_acct_mgmt only after pam_authenticate succeeded. */
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_AUTH_ERR)};
    pt_expect("chorus-first-factor", user, &c, cases);
    assert_true(pt_conv_find(&c, -1, "Set up two-step") < 0);
    assert_true(pt_conv_find(&c, -1, "code from your app") < 0);
    assert_int_equal(pt_conv_prompts(&c), 1); /* the password prompt only */
    assert_int_equal(pt_state_files(), 0);
    assert_false(pt_has_state(user));
    pt_conv_free(&c);

    /* With the right password the same stack registers the account. */
    struct pt_conv ok = {.echo_off = {PASSWORD}, .hook = reg_hook, .hook_arg = &r};
    struct pam_testcase good[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                  pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-first-factor", user, &ok, good);
    assert_true(pt_has_state(user));
    pt_conv_free(&ok);
}

static void test_auth_stage_alone_never_enrolls_anyone(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    struct reg r = {0};
    struct pt_conv c = {.hook = reg_hook, .hook_arg = &r};
    assert_int_equal(pt_pam("chorus-acct", user, &c, PAMTEST_AUTHENTICATE),
                     PAM_SUCCESS); /* permit + ignore */
    assert_int_equal(pt_conv_prompts(&c), 0);
    assert_int_equal(pt_state_files(), 0);
    assert_false(pt_has_state(user));
    pt_conv_free(&c);
}

static void expect_account(const char* user, struct pt_conv* c, int expected) {
    int rc = pt_pam("chorus-acct", user, c, PAMTEST_ACCOUNT);
    if (rc != expected) {
        fprintf(stderr, "account: got %s, expected %s\n", pt_pam_name(rc), pt_pam_name(expected));
        pt_conv_dump(c);
        fail();
    }
}

static void test_required_policy_refuses_without_registration(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0}; /* answers nothing: like a non-interactive service */
    expect_account(user, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "must be set up before you can log in") >= 0);
    assert_false(pt_has_state(user));
    pt_conv_free(&c);
}

/* PAM_SILENT: registration shows a key, so it is not offered; the policy
 * still decides (required: refused; optional: let through), in silence. */
static void test_silent_flag_offers_no_registration(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0};
    assert_int_equal(pt_pam_flags("chorus-acct", user, &c, PAMTEST_ACCOUNT, PAM_SILENT), PAM_PERM_DENIED);
    assert_int_equal(pt_conv_prompts(&c), 0);
    assert_int_equal(pt_conv_find(&c, PAM_TEXT_INFO, ""), -1);
    assert_int_equal(pt_conv_find(&c, PAM_ERROR_MSG, ""), -1);
    assert_false(pt_has_state(user));
    pt_conv_free(&c);
    pt_config("enrollment:\n  policy: optional\n");
    struct pt_conv opt = {0};
    assert_int_equal(pt_pam_flags("chorus-acct", user, &opt, PAMTEST_ACCOUNT, PAM_SILENT), PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&opt), 0);
    assert_int_equal(pt_conv_find(&opt, PAM_TEXT_INFO, ""), -1);
    assert_int_equal(pt_conv_find(&opt, PAM_ERROR_MSG, ""), -1);
    pt_conv_free(&opt);
}

static void test_required_policy_refuses_after_wrong_confirmation_codes(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {.echo_on = {"000000", "000000", "000000", "000000", "000000", "000000"}};
    expect_account(user, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "That code does not match") >= 0);
    /* Enter does not skip under required. */
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_ON, "Enter to skip") < 0);
    pt_conv_free(&c);
}

/* The module does not hold the user's lock while the key is on screen: a
 * login that has proven only the password must not then replace a key the
 * owner registered in the meantime. */
static void test_registration_never_replaces_a_key_registered_meanwhile(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: required\n");
    const char* user = pt_user_add(NULL);
    struct reg r = {.owner_registers = user};
    struct pt_conv c = {.hook = reg_hook, .hook_arg = &r};
    expect_account(user, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "set up for this account in the meantime") >= 0);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Your authenticator app is registered.") < 0);
    pt_conv_free(&c);
    /* The owner's key is the one that works; the key shown to this login does not. */
    char shown[16], owners[16];
    pt_totp(r.secret, time(NULL), shown);
    pt_totp(PT_SECRET, time(NULL), owners);
    struct pt_conv wrong = {.echo_off = {shown}};
    assert_int_equal(pt_pam("chorus-acct", user, &wrong, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    pt_conv_free(&wrong);
    struct pt_conv right = {.echo_off = {owners}};
    assert_int_equal(pt_pam("chorus-acct", user, &right, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    pt_conv_free(&right);
}

/* The same under an optional policy: the login that could have skipped is
 * still refused, since a method now exists whose code it has not given. */
static void test_optional_registration_refuses_when_a_key_was_registered_meanwhile(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: optional\n");
    const char* user = pt_user_add(NULL);
    struct reg r = {.owner_registers = user};
    struct pt_conv c = {.hook = reg_hook, .hook_arg = &r};
    expect_account(user, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Your authenticator app is registered.") < 0);
    pt_conv_free(&c);
    char shown[16];
    pt_totp(r.secret, time(NULL), shown);
    struct pt_conv wrong = {.echo_off = {shown}};
    assert_int_equal(pt_pam("chorus-acct", user, &wrong, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    pt_conv_free(&wrong);
}

static void test_grace_policy_before_the_deadline_allows_skipping(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: grace\n  grace_days: 30\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {.echo_on = {""}};
    expect_account(user, &c, PAM_SUCCESS);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "becomes required in 30 days") >= 0);
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_ON, "(Enter to skip)") >= 0);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Registration skipped.") >= 0);
    pt_conv_free(&c);
}

static void test_grace_policy_after_the_deadline_requires_registration(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: grace\n  grace_until: \"2000-01-01\"\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {.echo_on = {""}};
    expect_account(user, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_ON, "Enter to skip") < 0);
    pt_conv_free(&c);
    /* ... and registering then lets the user in. */
    struct reg r = {0};
    struct pt_conv reg = {.hook = reg_hook, .hook_arg = &r};
    expect_account(user, &reg, PAM_SUCCESS);
    pt_conv_free(&reg);
}

static void test_optional_policy_allows_skipping(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: optional\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {.echo_on = {""}};
    expect_account(user, &c, PAM_SUCCESS);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Registration skipped.") >= 0);
    pt_conv_free(&c);
    /* A conversation that can't answer does not lock an optional user out either. */
    struct pt_conv silent = {0};
    expect_account(user, &silent, PAM_SUCCESS);
    pt_conv_free(&silent);
}

static void test_nullok_policy_passes_without_a_prompt(void** state) {
    (void)state;
    pt_config("enrollment:\n  policy: nullok\n");
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {0};
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS),
                                   pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)};
    pt_expect("chorus-acct", user, &c, cases);
    assert_int_equal(pt_conv_prompts(&c), 0);
    assert_int_equal(c.n, 0);
    pt_conv_free(&c);
}

static void test_require_groups_exempts_non_members(void** state) {
    (void)state;
    const char* mfa = pt_group_add();
    pt_config("enrollment:\n  policy: required\n  require_groups: [%s]\n", mfa);
    const char* outsider = pt_user_add(NULL);
    struct pt_conv c = {0};
    expect_account(outsider, &c, PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);
}

static void test_require_groups_member_must_register(void** state) {
    (void)state;
    const char* mfa = pt_group_add();
    pt_config("enrollment:\n  policy: required\n  require_groups: [%s]\n", mfa);
    const char* member = pt_user_add(mfa);
    struct pt_conv c = {0};
    expect_account(member, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Set up two-step verification") >= 0);
    pt_conv_free(&c);
}

static void test_exempt_group_member_may_log_in_unregistered(void** state) {
    (void)state;
    const char* exempt = pt_group_add();
    pt_config("enrollment:\n  policy: required\n  exempt_groups: [%s]\n", exempt);
    const char* member = pt_user_add(exempt);
    const char* other = pt_user_add(NULL);
    struct pt_conv c = {0};
    expect_account(member, &c, PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 0);
    pt_conv_free(&c);
    struct pt_conv o = {0};
    expect_account(other, &o, PAM_PERM_DENIED);
    pt_conv_free(&o);
}

static void test_never_exempt_group_overrides_exempt_groups_and_nullok(void** state) {
    (void)state;
    const char* admins = pt_group_add();
    const char* exempt = pt_group_add();
    pt_config("enrollment:\n  policy: nullok\n  exempt_groups: [%s]\n  never_exempt_groups: [%s]\n", exempt,
              admins);
    char both[160];
    snprintf(both, sizeof both, "%s,%s", admins, exempt);
    const char* admin = pt_user_add(both);
    struct pt_conv c = {.echo_on = {""}};
    expect_account(admin, &c, PAM_PERM_DENIED);
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_ON, "Enter to skip") < 0);
    pt_conv_free(&c);
    /* A plain user under nullok still passes. */
    const char* plain = pt_user_add(NULL);
    struct pt_conv p = {0};
    expect_account(plain, &p, PAM_SUCCESS);
    pt_conv_free(&p);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_registration_at_account_stage_walks_through_and_the_key_works),
        PT_TEST(test_wrong_password_never_reaches_registration),
        PT_TEST(test_auth_stage_alone_never_enrolls_anyone),
        PT_TEST(test_required_policy_refuses_without_registration),
        PT_TEST(test_silent_flag_offers_no_registration),
        PT_TEST(test_required_policy_refuses_after_wrong_confirmation_codes),
        PT_TEST(test_registration_never_replaces_a_key_registered_meanwhile),
        PT_TEST(test_optional_registration_refuses_when_a_key_was_registered_meanwhile),
        PT_TEST(test_grace_policy_before_the_deadline_allows_skipping),
        PT_TEST(test_grace_policy_after_the_deadline_requires_registration),
        PT_TEST(test_optional_policy_allows_skipping),
        PT_TEST(test_nullok_policy_passes_without_a_prompt),
        PT_TEST(test_require_groups_exempts_non_members),
        PT_TEST(test_require_groups_member_must_register),
        PT_TEST(test_exempt_group_member_may_log_in_unregistered),
        PT_TEST(test_never_exempt_group_overrides_exempt_groups_and_nullok),
    };
    return pt_main(argc, argv, "pam_account", services, tests, sizeof tests / sizeof tests[0]);
}
