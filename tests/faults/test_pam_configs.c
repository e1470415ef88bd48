/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Broken configs through the real pam_chorus.so: an unknown key before a
 * security key, bad types, a truncated file, a 10 MB file, a wrong owner or
 * mode. Never fail open: auth and account refuse an enrolled user with a
 * correct code and an unenrolled user, under required (+pam_permit) and
 * sufficient (+pam_deny) stacking.
 */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct pt_service services[] = {
    {"c-required",
     "auth required @MODULE@ config=@CONFIG@\nauth required pam_permit.so\n"
     "account required @MODULE@ config=@CONFIG@\naccount required pam_permit.so\n"},
    {"c-sufficient",
     "auth sufficient @MODULE@ config=@CONFIG@\nauth required pam_deny.so\n"
     "account sufficient @MODULE@ config=@CONFIG@\naccount required pam_deny.so\n"},
    {NULL, NULL}};

static void write_raw(const char* text, size_t len, int mode, int owner) {
    int fd = open(pt_config_path(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, (mode_t)mode), 0);
    assert_int_equal(fchown(fd, (uid_t)owner, (gid_t)owner), 0);
    close(fd);
}

static void expect_denied(const char* what, const char* enrolled, const char* fresh) {
    for (int s = 0; s < 2; s++) {
        const char* svc = s ? "c-sufficient" : "c-required";
        for (int account = 0; account < 2; account++) {
            enum pamtest_ops op = account ? PAMTEST_ACCOUNT : PAMTEST_AUTHENTICATE;
            char code[16];
            pt_totp(PT_SECRET, time(NULL), code);
            struct pt_conv c = {.echo_off = {code, code, code}, .echo_on = {"", "", ""}};
            int rc = pt_pam(svc, enrolled, &c, op);
            pt_conv_free(&c);
            if (rc == PAM_SUCCESS || rc == PAM_IGNORE)
                fail_msg("DEFECT: %s: %s %s of an enrolled user gave %s", what, svc,
                         account ? "account" : "auth", pt_pam_name(rc));
            struct pt_conv c2 = {.echo_off = {"123456", "123456"}, .echo_on = {"", ""}};
            rc = pt_pam(svc, fresh, &c2, op);
            pt_conv_free(&c2);
            if (rc == PAM_SUCCESS || rc == PAM_IGNORE)
                fail_msg("DEFECT: %s: %s %s of an unenrolled user gave %s", what, svc,
                         account ? "account" : "auth", pt_pam_name(rc));
        }
    }
}

static void test_broken_configs_never_fail_open(void** state) {
    (void)state;
    pt_config("lockout:\n  max_failures: 1000\n");
    const char* enrolled = pt_user_add(NULL);
    pt_enroll(enrolled, PT_SECRET);
    const char* fresh = pt_user_add(NULL);
    char good[2048];
    snprintf(good, sizeof good, "store:\n  path: %s\nenrollment:\n  policy: required\n", pt_path("state"));
    struct {
        const char *what, *text;
    } cases[] = {
        {"unknown key before a security key", "enrollment:\n  polcy: nullok\n  policy: required\n"},
        {"unknown top-level key first", "bogus: 1\nenrollment:\n  policy: nullok\n"},
        {"bad type for policy", "enrollment:\n  policy: [nullok]\n"},
        {"bad type for max_failures", "lockout:\n  max_failures: lots\n"},
        {"out of range", "lockout:\n  max_failures: 0\n"},
        {"boolean spelled yes", "password:\n  reject_username: yes\n"},
        {"truncated mid-key", "enrollment:\n  poli"},
        {"truncated mid-value", "enrollment:\n  policy: \"null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096];
        snprintf(text, sizeof text, "%s%s", good, cases[i].text);
        write_raw(text, strlen(text), 0600, 0);
        expect_denied(cases[i].what, enrolled, fresh);
    }
    /* 10 MB: a valid head and a huge comment. */
    size_t big = 10u << 20;
    char* huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, '#', big);
    memcpy(huge, good, strlen(good));
    huge[strlen(good)] = '\n';
    huge[big - 1] = '\n';
    write_raw(huge, big, 0600, 0);
    free(huge);
    expect_denied("10 MB file", enrolled, fresh);
    /* Owner and mode. */
    write_raw(good, strlen(good), 0600, 65534);
    expect_denied("config owned by 65534", enrolled, fresh);
    write_raw(good, strlen(good), 0620, 0);
    expect_denied("group-writable config", enrolled, fresh);
    write_raw(good, strlen(good), 0602, 0);
    expect_denied("world-writable config", enrolled, fresh);
    /* Missing explicit config. */
    unlink(pt_config_path());
    expect_denied("missing config", enrolled, fresh);
    /* Control: with the good config the same login passes, so the denials above came from the configs. */
    write_raw(good, strlen(good), 0600, 0);
    char code[16];
    pt_totp(PT_SECRET, time(NULL), code);
    struct pt_conv c = {.echo_off = {code}};
    assert_int_equal(pt_pam("c-sufficient", enrolled, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    pt_conv_free(&c);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {PT_TEST(test_broken_configs_never_fail_open)};
    return pt_main(argc, argv, "faults.pam_configs", services, tests, sizeof tests / sizeof tests[0]);
}
