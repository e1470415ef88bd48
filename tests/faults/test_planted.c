/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A symlink, hard link, FIFO, directory or device where a state file, its
 * temp file or its lock should be, and unsafe modes and owners, through the
 * PUBLIC paths (chorus_verify_code, chorus_enrollment_commit,
 * chorus_recovery_codes_new): refused, the decoy outside the state directory
 * byte for byte unchanged, no hang (alarm(5)). tests/unit/test_store.cpp pins
 * the same at the Store level; this pins that no caller bypasses it.
 */
#define _GNU_SOURCE
#include "fault_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define DECOY_TEXT "root:precious:0:0::/root:/bin/sh\n"

enum kind { SYMLINK, HARDLINK, FIFO, DIRECTORY, DEVICE, GROUP_WRITABLE, WRONG_OWNER };
static const char* kind_name[] = {"symlink", "hardlink",       "fifo",       "directory",
                                  "device",  "group-writable", "wrong-owner"};

static int setup(void** state) {
    (void)state;
    fu_setup_dir(NULL);
    fu_enroll(FU_USER);
    chorus_ctx_t* ctx = fu_ctx();
    assert_int_equal(chorus_user_unlock(ctx, FU_USER), CHORUS_OK); /* makes the .live file */
    chorus_ctx_free(&ctx);
    fu_write(fu_path("decoy"), DECOY_TEXT, 0600);
    return 0;
}

static int teardown(void** state) {
    (void)state;
    fu_teardown_dir();
    return 0;
}

static void plant(const char* name, enum kind k) {
    char path[700];
    snprintf(path, sizeof path, "%s", fu_path(name));
    if (unlink(path) != 0 && errno != ENOENT) fail_msg("unlink %s: %s", path, strerror(errno));
    switch (k) {
    case SYMLINK:
        assert_int_equal(symlink(fu_path("decoy"), path), 0);
        break;
    case HARDLINK:
        assert_int_equal(link(fu_path("decoy"), path), 0);
        break;
    case FIFO:
        assert_int_equal(mkfifo(path, 0600), 0);
        break;
    case DIRECTORY:
        assert_int_equal(mkdir(path, 0700), 0);
        break;
    case DEVICE:
        assert_int_equal(mknod(path, S_IFCHR | 0600, makedev(1, 3)), 0);
        break;
    case GROUP_WRITABLE:
        fu_write(path, DECOY_TEXT, 0620);
        break;
    case WRONG_OWNER:
        fu_write(path, DECOY_TEXT, 0600);
        assert_int_equal(chown(path, 65534, 65534), 0);
        break;
    }
}

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "hang: a planted file blocked the library\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
}

enum op { VERIFY, COMMIT, RECOVERY };
static const char* op_name[] = {"chorus_verify_code", "chorus_enrollment_commit",
                                "chorus_recovery_codes_new"};

static int run_op(enum op op) {
    chorus_ctx_t* ctx = fu_ctx();
    int rc = CHORUS_ERR_INTERNAL;
    alarm(5);
    if (op == VERIFY) {
        char code[16];
        fu_totp(time(NULL), code);
        rc = chorus_verify_code(ctx, FU_USER, code, NULL, NULL);
    } else if (op == COMMIT) {
        chorus_totp_opts opts = {.secret_base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"};
        chorus_enrollment_t* e = NULL;
        rc = chorus_enrollment_new(ctx, FU_USER, &opts, &e);
        if (rc == CHORUS_OK) rc = chorus_enrollment_commit(ctx, e, NULL);
        chorus_enrollment_free(&e);
    } else {
        char** codes = NULL;
        size_t n = 0;
        rc = chorus_recovery_codes_new(ctx, FU_USER, &codes, &n);
        chorus_strings_free(&codes, n);
    }
    alarm(0);
    chorus_ctx_free(&ctx);
    return rc;
}

/* Which ops must refuse with name planted: a bit per op. The others may
 * succeed when they don't touch that name, but must not touch the decoy. */
static unsigned must_refuse(const char* suffix) {
    if (strcmp(suffix, ".rec") == 0 || strcmp(suffix, ".lock") == 0)
        return 1u << VERIFY | 1u << COMMIT | 1u << RECOVERY;
    if (strcmp(suffix, ".live") == 0) return 1u << VERIFY;
    if (strcmp(suffix, ".rec.tmp") == 0) return 1u << COMMIT | 1u << RECOVERY;
    return 1u << VERIFY; /* ".live.tmp", with .live removed: the verify must create .live */
}

static void test_planted_files_refused_through_public_api(void** state) {
    (void)state;
    signal(SIGALRM, on_alarm);
    static const char* suffixes[] = {".rec", ".live", ".lock", ".rec.tmp", ".live.tmp"};
    for (size_t s = 0; s < 5; s++) {
        for (int k = SYMLINK; k <= WRONG_OWNER; k++) {
            for (int op = VERIFY; op <= RECOVERY; op++) {
                fu_teardown_dir();
                setup(NULL);
                char name[64];
                snprintf(name, sizeof name, "state/" FU_USER "%s", suffixes[s]);
                if (strcmp(suffixes[s], ".live.tmp") == 0)
                    assert_int_equal(unlink(fu_path("state/" FU_USER ".live")), 0);
                plant(name, (enum kind)k);
                int rc = run_op((enum op)op);
                if ((must_refuse(suffixes[s]) & (1u << op)) && rc == CHORUS_OK)
                    fail_msg("%s with a %s at %s returned OK", op_name[op], kind_name[k], name);
                if (rc != CHORUS_OK && rc != CHORUS_ERR_UNSAFE_FILE)
                    fprintf(stderr, "note: %s, %s at %s: %s\n", op_name[op], kind_name[k], name,
                            chorus_strerror(rc));
                size_t len = 0;
                char* decoy = fu_slurp(fu_path("decoy"), &len);
                assert_non_null(decoy);
                if (strcmp(decoy, DECOY_TEXT) != 0)
                    fail_msg("%s with a %s at %s changed the file outside", op_name[op], kind_name[k], name);
                free(decoy);
                if (k == GROUP_WRITABLE || k == WRONG_OWNER) {
                    char* planted = fu_slurp(fu_path(name), NULL);
                    /* a stale temp file may be removed, but never written */
                    if (planted != NULL && strcmp(planted, DECOY_TEXT) != 0)
                        fail_msg("%s wrote into a %s %s", op_name[op], kind_name[k], name);
                    free(planted);
                }
            }
        }
    }
}

static void test_unsafe_state_dir_or_file_denies(void** state) {
    (void)state;
    signal(SIGALRM, on_alarm);
    static const struct {
        int mode, chown_dir, chown_rec;
        const char* what;
    } cases[] = {{0770, 0, 0, "group-writable state dir"},
                 {0707, 0, 0, "world-writable state dir"},
                 {0750, 0, 0, "group-readable state dir"},
                 {0700, 1, 0, "state dir owned by 65534"},
                 {0700, 0, 1, "record owned by 65534"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fu_teardown_dir();
        setup(NULL);
        char* rec_before = fu_slurp(fu_path("state/" FU_USER ".rec"), NULL);
        assert_int_equal(chmod(fu_path("state"), (mode_t)cases[i].mode), 0);
        if (cases[i].chown_dir) assert_int_equal(chown(fu_path("state"), 65534, 65534), 0);
        if (cases[i].chown_rec) assert_int_equal(chown(fu_path("state/" FU_USER ".rec"), 65534, 65534), 0);
        char code[16];
        fu_totp(time(NULL), code);
        chorus_ctx_t* ctx = NULL;
        alarm(5);
        int rc = chorus_ctx_new(&ctx, fu_config(), NULL, NULL, 0);
        if (rc == CHORUS_OK) rc = chorus_verify_code(ctx, FU_USER, code, NULL, NULL);
        alarm(0);
        chorus_ctx_free(&ctx);
        if (rc == CHORUS_OK) fail_msg("%s: a login was accepted", cases[i].what);
        char* rec_after = fu_slurp(fu_path("state/" FU_USER ".rec"), NULL);
        assert_string_equal(rec_before, rec_after);
        free(rec_before);
        free(rec_after);
    }
}

int main(void) {
    int skip = fu_need_root("test_planted");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_planted_files_refused_through_public_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_state_dir_or_file_denies, setup, teardown),
    };
    return cmocka_run_group_tests_name("faults.planted", tests, NULL, NULL);
}
