/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ENOSPC, EIO, a failed rename/open/close while saving state, injected with
 * the LD_PRELOAD shim into the driver (public API on libchorusauth.so):
 * the old state stays byte for byte, no temp or zero-length file is left, and
 * a correct code is never accepted when its replay record could not be saved.
 */
#define _GNU_SOURCE
#include "fault_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char report[600];
static char recovery_code[64];

static int setup(void** state) {
    (void)state;
    fu_setup_dir(NULL);
    fu_enroll(FU_USER);
    char out[4096];
    assert_int_equal(fu_driver(NULL, out, sizeof out, "recovery", FU_USER, NULL), CHORUS_OK);
    snprintf(recovery_code, sizeof recovery_code, "%.*s", (int)strcspn(out, "\n"), out);
    char wrong[16];
    fu_wrong_code(wrong);
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, wrong), CHORUS_ERR_BAD_CODE);
    snprintf(report, sizeof report, "%s/fault-report", fu_dir());
    return 0;
}

static int teardown(void** state) {
    (void)state;
    fu_teardown_dir();
    return 0;
}

struct fault {
    const char* calls;
    int err;
    const char* suffix;
};

/* Runs op under the fault; returns its rc; *fired says whether the shim injected. */
static int run_faulted(const struct fault* f, long nth, const char* op, const char* arg, int* fired) {
    static char e_dir[600], e_calls[200], e_err[64], e_suffix[200], e_nth[64], e_report[700];
    snprintf(e_dir, sizeof e_dir, "CHORUS_FAULT_DIR=%s", fu_path("state"));
    snprintf(e_calls, sizeof e_calls, "CHORUS_FAULT_CALLS=%s", f->calls);
    snprintf(e_err, sizeof e_err, "CHORUS_FAULT_ERRNO=%d", f->err);
    snprintf(e_suffix, sizeof e_suffix, "CHORUS_FAULT_SUFFIX=%s", f->suffix ? f->suffix : "");
    snprintf(e_nth, sizeof e_nth, "CHORUS_FAULT_NTH=%ld", nth);
    snprintf(e_report, sizeof e_report, "CHORUS_FAULT_REPORT=%s", report);
    const char* env[] = {e_dir, e_calls, e_err, e_suffix, e_nth, e_report, NULL};
    unlink(report);
    int rc = fu_driver(env, NULL, 0, op, FU_USER, arg);
    *fired = access(report, F_OK) == 0;
    return rc;
}

static void assert_clean(const char* what) {
    if (fu_count_suffix(".tmp") != 0) fail_msg("%s: a temp file was left in the state directory", what);
    if (fu_count_empty() != 0) fail_msg("%s: a zero-length state file was left", what);
}

/* Record replace (.rec via .rec.tmp) failing at each step, for every op that writes it. */
static void test_failed_record_save_keeps_old_record(void** state) {
    (void)state;
    static const struct fault faults[] = {
        {"write", ENOSPC, ".rec.tmp"},  {"write", EIO, ".rec.tmp"},     {"fsync", EIO, ".rec.tmp"},
        {"close", EIO, ".rec.tmp"},     {"renameat", EXDEV, ".rec"},    {"renameat", EIO, ".rec"},
        {"openat", EACCES, ".rec.tmp"}, {"openat", ENOSPC, ".rec.tmp"},
    };
    const char* ops[][2] = {
        {"recovery", NULL}, {"enroll", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}, {"verify", recovery_code}};
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        for (size_t j = 0; j < 3; j++) {
            char* before = fu_snapshot();
            int fired = 0;
            int rc = run_faulted(&faults[i], 0, ops[j][0], ops[j][1], &fired);
            char* after = fu_snapshot();
            if (!fired)
                fail_msg("%s %s: fault %s/%d never fired", ops[j][0], faults[i].suffix, faults[i].calls,
                         faults[i].err);
            if (rc == CHORUS_OK)
                fail_msg("%s returned OK though %s failed with errno %d", ops[j][0], faults[i].calls,
                         faults[i].err);
            if (strcmp(before, after) != 0)
                fail_msg("%s under %s/%d changed the state:\n%s\n---\n%s", ops[j][0], faults[i].calls,
                         faults[i].err, before, after);
            assert_clean(ops[j][0]);
            free(before);
            free(after);
        }
    }
    /* And then, without faults, the recovery code (never consumed) still works once. */
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, recovery_code), CHORUS_OK);
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, recovery_code), CHORUS_ERR_BAD_CODE);
    assert_int_equal(fu_driver(NULL, NULL, 0, "recovery", FU_USER, NULL), CHORUS_OK);
}

/* The live record (in place, pwrite + fdatasync): a correct code whose step
 * can't be saved is denied. */
static void test_correct_code_denied_when_replay_record_cannot_be_saved(void** state) {
    (void)state;
    static const struct fault faults[] = {{"pwrite", ENOSPC, ".live"}, {"pwrite", EIO, ".live"}};
    char code[16];
    fu_totp(time(NULL), code);
    for (size_t i = 0; i < 2; i++) {
        char* before = fu_snapshot();
        int fired = 0;
        int rc = run_faulted(&faults[i], 0, "verify", code, &fired);
        char* after = fu_snapshot();
        assert_true(fired);
        if (rc == CHORUS_OK)
            fail_msg("a correct code was accepted though its step could not be saved (%s)", faults[i].calls);
        assert_string_equal(before, after);
        assert_clean("verify");
        free(before);
        free(after);
    }
    /* Not saved, so not used: the same code works once now, then is a replay. */
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, code), CHORUS_OK);
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, code), CHORUS_ERR_REPLAY);
}

static void test_failed_fdatasync_denies_and_state_stays_readable(void** state) {
    (void)state;
    const struct fault f = {"fdatasync", EIO, ".live"};
    char code[16];
    fu_totp(time(NULL), code);
    int fired = 0;
    int rc = run_faulted(&f, 0, "verify", code, &fired);
    assert_true(fired);
    assert_int_not_equal(rc, CHORUS_OK);
    assert_int_equal(fu_status(FU_USER, NULL, NULL), CHORUS_OK);
    /* The slot may have reached the disk: then the code is spent; never accepted twice. */
    int again = fu_driver(NULL, NULL, 0, "verify", FU_USER, code);
    assert_true(again == CHORUS_OK || again == CHORUS_ERR_REPLAY);
    assert_int_equal(fu_driver(NULL, NULL, 0, "verify", FU_USER, code), CHORUS_ERR_REPLAY);
}

/* A wrong code whose failure can't be counted is still denied, and the counter is unchanged. */
static void test_uncountable_failure_is_denied(void** state) {
    (void)state;
    const struct fault f = {"pwrite", EIO, ".live"};
    char wrong[16];
    fu_wrong_code(wrong);
    int failures = 0;
    assert_int_equal(fu_status(FU_USER, &failures, NULL), CHORUS_OK);
    int fired = 0;
    int rc = run_faulted(&f, 0, "verify", wrong, &fired);
    assert_true(fired);
    assert_int_not_equal(rc, CHORUS_OK);
    int now = 0;
    assert_int_equal(fu_status(FU_USER, &now, NULL), CHORUS_OK);
    assert_int_equal(now, failures);
}

/* The Nth state-directory call of a recovery-code regeneration fails, for
 * every N: never OK, old record byte for byte, nothing left behind. */
static void test_every_call_of_a_record_save_may_fail(void** state) {
    (void)state;
    const struct fault f = {"openat,write,fsync,close,renameat", EIO, NULL};
    long n;
    for (n = 1; n < 64; n++) {
        char* before = fu_snapshot();
        int fired = 0;
        int rc = run_faulted(&f, n, "recovery", NULL, &fired);
        if (!fired) {
            assert_int_equal(rc, CHORUS_OK); /* past the last call: the save went through */
            free(before);
            break;
        }
        char* what = fu_slurp(report, NULL);
        char* after = fu_snapshot();
        if (rc == CHORUS_OK && strncmp(what, "close ", 6) == 0 && strstr(what, ".tmp") == NULL) {
            /* closing a file that was only read: nothing was lost */
            free(what), free(before), free(after);
            continue;
        }
        if (strncmp(what, "fsync ", 6) == 0 && strcmp(strchr(what + 6, ' ') + 1, fu_path("state\n")) == 0) {
            /* the directory fsync after the rename: the save is done (see below) */
            assert_int_equal(rc, CHORUS_OK);
            free(what), free(before), free(after);
            continue;
        }
        if (rc == CHORUS_OK) fail_msg("call %ld (%s) failed but recovery_codes_new returned OK", n, what);
        if (strcmp(before, after) != 0)
            fail_msg("state changed although the save reported failure (call %ld: %s)", n, what);
        assert_clean("recovery");
        assert_int_equal(fu_status(FU_USER, NULL, NULL), CHORUS_OK);
        free(what);
        free(before);
        free(after);
    }
    assert_true(n > 3 && n < 64);
}

/*
 * Regression: a failed fsync of the state directory after renameat() once
 * reported an error although the new record was already in place, so the old
 * recovery codes stopped working while the new ones were never shown. After
 * the rename the save is done (the file's data were fsynced): it must report
 * success and leave the new record.
 */
static void test_dir_fsync_failure_after_rename_reports_the_save_that_happened(void** state) {
    (void)state;
    const struct fault f = {"fsync", EIO, "/state"};
    char* before = fu_snapshot();
    int fired = 0;
    int rc = run_faulted(&f, 0, "recovery", NULL, &fired);
    char* after = fu_snapshot();
    assert_true(fired);
    assert_int_equal(rc, CHORUS_OK);
    assert_string_not_equal(before, after);
    free(before);
    free(after);
}

int main(void) {
    int skip = fu_need_root("test_io_faults");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failed_record_save_keeps_old_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_correct_code_denied_when_replay_record_cannot_be_saved, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_fdatasync_denies_and_state_stays_readable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_uncountable_failure_is_denied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_call_of_a_record_save_may_fail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dir_fsync_failure_after_rename_reports_the_save_that_happened,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("faults.io", tests, NULL, NULL);
}
