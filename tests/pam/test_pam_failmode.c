/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so while the fleet database cannot be reached: the real
 * PostgreSQL plugin pointed at a loopback port nothing listens on. Denied
 * (PAM_AUTHINFO_UNAVAIL) unless failmode lets the login in: a listed group,
 * a console terminal without a remote host, or a single-use host-local
 * break-glass code, whose auth stage also carries the account stage. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <chorus/chorus.h>

static const struct pt_service services[] = {
    {"fm-plain",
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    /* pam_wrapper's pam_set_items.so copies PAM_TTY / PAM_RHOST from the environment. */
    {"fm-items",
     "auth required @WRAPMODS@/pam_set_items.so\n"
     "auth required @MODULE@ config=@CONFIG@\n"
     "account required @MODULE@ config=@CONFIG@\n"},
    {NULL, NULL}};

static const char* allowed_group;

/* The fleet config: a closed port (connection refused at once) and failmode. */
static void outage_config(void) {
    static char key_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    FILE* f = fopen(pt_path("fleet.key"), "w");
    assert_non_null(f);
    assert_int_equal(fputs(key_hex, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(pt_path("fleet.key"), 0600), 0);
    if (allowed_group == NULL) allowed_group = pt_group_add();
    pt_config(
        "store:\n  backend: postgresql\n  path: %s\n"
        "  conninfo: \"host=127.0.0.1 port=1 dbname=chorus user=chorus connect_timeout=2\"\n"
        "  seal_key_file: %s\n  plugin: %s\n"
        "failmode:\n  allow_groups: [%s]\n  allow_console: true\n  break_glass_path: %s\n",
        pt_path("state"), pt_path("fleet.key"), PT_PG_PLUGIN, allowed_group, pt_path("break-glass"));
}

static void expect_stages(const char* service, const char* user, struct pt_conv* c, int auth_rv,
                          int acct_rv) {
    struct pam_testcase cases[] = {pam_test(PAMTEST_AUTHENTICATE, auth_rv),
                                   pam_test(PAMTEST_ACCOUNT, acct_rv)};
    pt_expect(service, user, c, cases);
}

static void test_outage_denies_an_ordinary_user(void** state) {
    (void)state;
    outage_config();
    const char* user = pt_user_add(NULL);
    struct pt_conv c = {.echo_off = {"123456"}};
    expect_stages("fm-plain", user, &c, PAM_AUTHINFO_UNAVAIL, PAM_AUTHINFO_UNAVAIL);
    assert_int_equal(pt_conv_prompts(&c), 1); /* asked like anyone */
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "unavailable") >= 0);
    pt_conv_free(&c);
    struct pt_conv a = {0};
    assert_int_equal(pt_pam("fm-plain", user, &a, PAMTEST_ACCOUNT), PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&a);
}

static void test_outage_lets_a_listed_group_in(void** state) {
    (void)state;
    outage_config();
    const char* user = pt_user_add(allowed_group);
    struct pt_conv c = {0};
    expect_stages("fm-plain", user, &c, PAM_SUCCESS, PAM_SUCCESS);
    assert_int_equal(pt_conv_prompts(&c), 0);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "emergency policy") >= 0);
    pt_conv_free(&c);
}

static int items_login(const char* user, const char* tty, const char* rhost) {
    setenv("PAM_TTY", tty, 1);
    if (rhost != NULL)
        setenv("PAM_RHOST", rhost, 1);
    else
        unsetenv("PAM_RHOST");
    struct pt_conv c = {.echo_off = {"123456"}};
    int rc = pt_pam("fm-items", user, &c, PAMTEST_AUTHENTICATE);
    pt_conv_free(&c);
    unsetenv("PAM_TTY");
    unsetenv("PAM_RHOST");
    return rc;
}

static void test_outage_lets_the_console_in_and_nothing_remote(void** state) {
    (void)state;
    outage_config();
    const char* user = pt_user_add(NULL);
    assert_int_equal(items_login(user, "tty1", NULL), PAM_SUCCESS);
    assert_int_equal(items_login(user, "/dev/tty2", NULL), PAM_SUCCESS);
    assert_int_equal(items_login(user, "/dev/ttyS0", NULL), PAM_AUTHINFO_UNAVAIL); /* serial: opt in */
    assert_int_equal(items_login(user, "/dev/pts/0", NULL), PAM_AUTHINFO_UNAVAIL);
    assert_int_equal(items_login(user, "ssh", NULL), PAM_AUTHINFO_UNAVAIL);
    assert_int_equal(items_login(user, "tty1", "192.0.2.7"), PAM_AUTHINFO_UNAVAIL);
}

static void test_break_glass_code_opens_both_stages_once(void** state) {
    (void)state;
    outage_config();
    const char* user = pt_user_add(NULL);
    chorus_ctx_t* ctx = NULL;
    assert_int_equal(chorus_ctx_new(&ctx, pt_config_path(), NULL, NULL, 0), CHORUS_OK);
    char** codes = NULL;
    size_t count = 0;
    assert_int_equal(chorus_break_glass_new(ctx, user, &codes, &count), CHORUS_OK);
    chorus_ctx_free(&ctx);
    assert_true(count >= 2);

    struct pt_conv c = {.echo_off = {codes[0]}};
    expect_stages("fm-plain", user, &c, PAM_SUCCESS, PAM_SUCCESS);
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "Break-glass code accepted") >= 0);
    pt_conv_free(&c);
    /* Spent; and the account stage of a login that proved none stays shut. */
    struct pt_conv again = {.echo_off = {codes[0]}};
    expect_stages("fm-plain", user, &again, PAM_AUTHINFO_UNAVAIL, PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&again);
    struct pt_conv acct = {0};
    assert_int_equal(pt_pam("fm-plain", user, &acct, PAMTEST_ACCOUNT), PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&acct);
    /* Another account cannot use them. */
    const char* other = pt_user_add(NULL);
    struct pt_conv o = {.echo_off = {codes[1]}};
    expect_stages("fm-plain", other, &o, PAM_AUTHINFO_UNAVAIL, PAM_AUTHINFO_UNAVAIL);
    pt_conv_free(&o);
    chorus_strings_free(&codes, count);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_outage_denies_an_ordinary_user),
        PT_TEST(test_outage_lets_a_listed_group_in),
        PT_TEST(test_outage_lets_the_console_in_and_nothing_remote),
        PT_TEST(test_break_glass_code_opens_both_stages_once),
    };
    return pt_main(argc, argv, "pam_failmode", services, tests, sizeof tests / sizeof tests[0]);
}
