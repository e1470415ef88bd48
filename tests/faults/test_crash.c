/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SIGKILL at random points of a write, 200 times. A child loops on updates
 * that write both files (recovery-code regeneration replaces the record;
 * a wrong code rewrites a live slot) and reports each finished verify on a
 * pipe; the parent kills it 0-3 ms after it is ready. After every kill the
 * state parses, the failure counter is the old or the new value, the record
 * holds a whole set of codes, and the next operations work.
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
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 200
#define CODES_PER_SET 10

static int setup(void** state) {
    (void)state;
    fu_setup_dir(NULL);
    fu_enroll(FU_USER);
    chorus_ctx_t* ctx = fu_ctx();
    char** codes = NULL;
    size_t n = 0;
    assert_int_equal(chorus_recovery_codes_new(ctx, FU_USER, &codes, &n), CHORUS_OK);
    chorus_strings_free(&codes, n);
    chorus_ctx_free(&ctx);
    return 0;
}

static int teardown(void** state) {
    (void)state;
    fu_teardown_dir();
    return 0;
}

static void log_none(void* arg, int priority, const char* message) {
    (void)arg, (void)priority, (void)message;
}

/* The child: never returns. */
static void writer(int report_fd, const char* wrong) {
    chorus_ctx_t* ctx = NULL;
    if (chorus_ctx_new(&ctx, fu_config(), log_none, NULL, 0) != CHORUS_OK) _exit(3);
    if (write(report_fd, "R", 1) != 1) _exit(4);
    for (unsigned i = 0;; i++) {
        if (i % 2 == 0) {
            char** codes = NULL;
            size_t n = 0;
            if (chorus_recovery_codes_new(ctx, FU_USER, &codes, &n) != CHORUS_OK) _exit(5);
            chorus_strings_free(&codes, n);
        } else {
            int rc = chorus_verify_code(ctx, FU_USER, wrong, NULL, NULL);
            if (rc != CHORUS_ERR_BAD_CODE) _exit(6);
            if (write(report_fd, "V", 1) != 1) _exit(7);
        }
    }
}

static void test_sigkill_mid_write_leaves_old_or_new_state(void** state) {
    (void)state;
    char wrong[16];
    fu_wrong_code(wrong);
    srand((unsigned)getpid());
    int tmp_left = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int failures = 0;
        assert_int_equal(fu_status(FU_USER, &failures, NULL), CHORUS_OK);
        if (failures > 600) {
            chorus_ctx_t* ctx = fu_ctx();
            assert_int_equal(chorus_user_unlock(ctx, FU_USER), CHORUS_OK);
            chorus_ctx_free(&ctx);
            failures = 0;
        }
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            writer(p[1], wrong);
        }
        close(p[1]);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        assert_int_equal(c, 'R');
        struct timespec ts = {0, (long)(rand() % 3001) * 1000L};
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("round %d: writer stopped by itself (status %d): an update failed", round, status);
        int done = 0;
        char buf[4096];
        ssize_t r;
        while ((r = read(p[0], buf, sizeof buf)) > 0) done += (int)r;
        close(p[0]);

        int now = -1, left = -1;
        int rc = fu_status(FU_USER, &now, &left);
        if (rc != CHORUS_OK)
            fail_msg("round %d: state unreadable after SIGKILL: %s", round, chorus_strerror(rc));
        if (now != failures + done && now != failures + done + 1)
            fail_msg("round %d: failures %d, expected %d (old) or %d (new)", round, now, failures + done,
                     failures + done + 1);
        if (left != CODES_PER_SET)
            fail_msg("round %d: %d recovery codes, expected a whole set of %d", round, left, CODES_PER_SET);
        tmp_left += fu_count_suffix(".tmp");
        if (fu_count_empty() != 0) fail_msg("round %d: a zero-length state file after SIGKILL", round);
        size_t live_len = 0;
        char* live = fu_slurp(fu_path("state/" FU_USER ".live"), &live_len);
        if (live != NULL && live_len != 1024) fail_msg("round %d: live file is %zu bytes", round, live_len);
        free(live);

        /* The next operations work (and clean a stale temp file). */
        chorus_ctx_t* ctx = fu_ctx();
        char** codes = NULL;
        size_t n = 0;
        assert_int_equal(chorus_recovery_codes_new(ctx, FU_USER, &codes, &n), CHORUS_OK);
        chorus_strings_free(&codes, n);
        assert_int_equal(chorus_verify_code(ctx, FU_USER, wrong, NULL, NULL), CHORUS_ERR_BAD_CODE);
        chorus_ctx_free(&ctx);
        assert_int_equal(fu_count_suffix(".tmp"), 0);
    }
    fprintf(stderr, "%d rounds; a stale temp file was left (then cleaned) %d times\n", ROUNDS, tmp_left);
    char code[16];
    fu_totp(time(NULL), code);
    chorus_ctx_t* ctx = fu_ctx();
    assert_int_equal(chorus_verify_code(ctx, FU_USER, code, NULL, NULL), CHORUS_OK);
    assert_int_equal(chorus_verify_code(ctx, FU_USER, code, NULL, NULL), CHORUS_ERR_REPLAY);
    chorus_ctx_free(&ctx);
}

int main(void) {
    int skip = fu_need_root("test_crash");
    if (skip) return skip;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sigkill_mid_write_leaves_old_or_new_state, setup, teardown),
    };
    return cmocka_run_group_tests_name("faults.crash", tests, NULL, NULL);
}
