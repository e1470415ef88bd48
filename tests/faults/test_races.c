/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Races: 50 processes with one valid code (exactly one succeeds), 50 parallel
 * wrong guesses (the counter is exactly 50), and the state directory swapped
 * for a symlink to a decoy while 50 logins run (nothing opened or written in
 * the decoy, and its attacker-known key never lets a code in).
 */
#define _GNU_SOURCE
#include "fault_util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROCS 50

static int setup(void** state) {
    (void)state;
    fu_setup_dir(NULL);
    fu_enroll(FU_USER);
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

/* Forks PROCS children that each open a ctx, wait for the start gun, then
 * verify code `rounds` times; counts[rc] gets each child's results (rc 0..-20). */
static void race(const char* code, int rounds, int counts[32]) {
    int gun[2];
    assert_int_equal(pipe2(gun, O_CLOEXEC), 0);
    int results[2];
    assert_int_equal(pipe2(results, O_CLOEXEC), 0);
    pid_t kids[PROCS];
    for (int i = 0; i < PROCS; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            close(gun[1]);
            close(results[0]);
            alarm(60);
            char c;
            (void)!read(gun[0], &c, 1); /* EOF when the parent closes its end */
            for (int r = 0; r < rounds; r++) {
                chorus_ctx_t* ctx = NULL;
                int rc = chorus_ctx_new(&ctx, fu_config(), log_none, NULL, 0);
                if (rc == CHORUS_OK) rc = chorus_verify_code(ctx, FU_USER, code, NULL, NULL);
                chorus_ctx_free(&ctx);
                unsigned char b = (unsigned char)(-rc);
                if (write(results[1], &b, 1) != 1) _exit(2);
            }
            _exit(0);
        }
    }
    close(gun[0]);
    close(results[1]);
    close(gun[1]); /* go */
    memset(counts, 0, 32 * sizeof counts[0]);
    unsigned char b;
    while (read(results[0], &b, 1) == 1) counts[b < 32 ? b : 31]++;
    close(results[0]);
    for (int i = 0; i < PROCS; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

static void test_fifty_processes_one_code_exactly_one_succeeds(void** state) {
    (void)state;
    char code[16];
    fu_totp(time(NULL), code);
    int counts[32];
    race(code, 1, counts);
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[-CHORUS_ERR_REPLAY], PROCS - 1);
}

static void test_fifty_parallel_wrong_guesses_count_fifty(void** state) {
    (void)state;
    char wrong[16];
    fu_wrong_code(wrong);
    int counts[32];
    race(wrong, 1, counts);
    assert_int_equal(counts[-CHORUS_ERR_BAD_CODE], PROCS);
    int failures = -1;
    assert_int_equal(fu_status(FU_USER, &failures, NULL), CHORUS_OK);
    assert_int_equal(failures, PROCS);
}

/* ---- the swapped directory ------------------------------------------------------ */

static volatile int swapping;
static long swaps;

static void* swapper(void* arg) {
    (void)arg;
    /* DIR/state <-> DIR/link (a symlink to DIR/decoy), atomically, over and over. */
    char a[600], b[600];
    snprintf(a, sizeof a, "%s", fu_path("state"));
    snprintf(b, sizeof b, "%s", fu_path("link"));
    while (swapping) {
        if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0) swaps++;
        sched_yield();
    }
    /* Leave the real directory in place. */
    struct stat st;
    if (lstat(a, &st) == 0 && S_ISLNK(st.st_mode)) (void)renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
    return NULL;
}

static void test_swapped_state_dir_never_reaches_the_decoy(void** state) {
    (void)state;
    /* The decoy: a private root-owned state directory the attacker "knows":
     * alice enrolled there with another key. If the library ever followed the
     * symlink, that key's code would log alice in. */
    assert_int_equal(mkdir(fu_path("decoy"), 0700), 0);
    char decoy_cfg[700];
    snprintf(decoy_cfg, sizeof decoy_cfg, "%s", fu_path("cfg/decoy.yaml"));
    char text[1200];
    snprintf(text, sizeof text, "store:\n  path: %s\n", fu_path("decoy"));
    fu_write(decoy_cfg, text, 0600);
    {
        chorus_ctx_t* ctx = NULL;
        assert_int_equal(chorus_ctx_new(&ctx, decoy_cfg, log_none, NULL, 0), CHORUS_OK);
        chorus_totp_opts opts = {.secret_base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"};
        chorus_enrollment_t* e = NULL;
        assert_int_equal(chorus_enrollment_new(ctx, FU_USER, &opts, &e), CHORUS_OK);
        assert_int_equal(chorus_enrollment_commit(ctx, e, NULL), CHORUS_OK);
        chorus_enrollment_free(&e);
        /* and a live file, so in-place writes would have a target too */
        assert_int_equal(chorus_user_unlock(ctx, FU_USER), CHORUS_OK);
        chorus_ctx_free(&ctx);
    }
    assert_int_equal(symlink(fu_path("decoy"), fu_path("link")), 0);
    char* decoy_before = fu_snapshot_of(fu_path("decoy"));
    struct stat dst0;
    assert_int_equal(stat(fu_path("decoy"), &dst0), 0);

    /* The decoy key's current code: wrong for the real alice. */
    char attacker_code[16];
    fu_totp_key((const unsigned char*)"12345678901234567890", 20, time(NULL), attacker_code);
    char real[16];
    fu_totp(time(NULL), real);
    if (strcmp(real, attacker_code) == 0) skip();

    swapping = 1;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, swapper, NULL), 0);
    int counts[32];
    race(attacker_code, 4, counts);
    swapping = 0;
    assert_int_equal(pthread_join(th, NULL), 0);
    fprintf(stderr, "%ld swaps; results: ok %d, bad code %d, unsafe %d, config %d, other %d\n", swaps,
            counts[0], counts[-CHORUS_ERR_BAD_CODE], counts[-CHORUS_ERR_UNSAFE_FILE],
            counts[-CHORUS_ERR_CONFIG],
            PROCS * 4 - counts[0] - counts[-CHORUS_ERR_BAD_CODE] - counts[-CHORUS_ERR_UNSAFE_FILE] -
                counts[-CHORUS_ERR_CONFIG]);
    assert_true(swaps > 0);
    assert_int_equal(counts[0], 0); /* the decoy's key never let anyone in */
    char* decoy_after = fu_snapshot_of(fu_path("decoy"));
    assert_string_equal(decoy_before, decoy_after);
    struct stat dst1;
    assert_int_equal(stat(fu_path("decoy"), &dst1), 0);
    assert_true(dst0.st_mtim.tv_sec == dst1.st_mtim.tv_sec && dst0.st_mtim.tv_nsec == dst1.st_mtim.tv_nsec);
    free(decoy_before);
    free(decoy_after);
    /* The real state still works. */
    struct stat st;
    assert_int_equal(lstat(fu_path("state"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fu_status(FU_USER, NULL, NULL), CHORUS_OK);
}

int main(void) {
    int skip_rc = fu_need_root("test_races");
    if (skip_rc) return skip_rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fifty_processes_one_code_exactly_one_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifty_parallel_wrong_guesses_count_fifty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapped_state_dir_never_reaches_the_decoy, setup, teardown),
    };
    return cmocka_run_group_tests_name("faults.races", tests, NULL, NULL);
}
