/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fault_driver CONFIG OP USER [ARG]: one public-API operation, run by the
 * fault tests under the LD_PRELOAD shim. Exit status: 0 for CHORUS_OK, else
 * 100 - rc (so -9 exits 109); "rc=N" on stdout, plus what OP prints.
 *
 *   enroll USER SECRET     chorus_enrollment_new + commit (no code)
 *   recovery USER          chorus_recovery_codes_new, codes printed one a line
 *   verify USER CODE       chorus_verify_code
 *   unlock USER            chorus_user_unlock
 *   status USER            prints failures=N recovery=N
 */
#include <stdio.h>
#include <string.h>

#include <chorus/chorus.h>

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    if (priority <= 4) fprintf(stderr, "driver: %s\n", message);
}

static int run(chorus_ctx_t* ctx, const char* op, const char* user, const char* arg) {
    if (strcmp(op, "enroll") == 0) {
        chorus_totp_opts opts = {.secret_base32 = arg};
        chorus_enrollment_t* e = NULL;
        int rc = chorus_enrollment_new(ctx, user, &opts, &e);
        if (rc == CHORUS_OK) rc = chorus_enrollment_commit(ctx, e, NULL);
        chorus_enrollment_free(&e);
        return rc;
    }
    if (strcmp(op, "recovery") == 0) {
        char** codes = NULL;
        size_t n = 0;
        int rc = chorus_recovery_codes_new(ctx, user, &codes, &n);
        for (size_t i = 0; rc == CHORUS_OK && i < n; i++) printf("%s\n", codes[i]);
        chorus_strings_free(&codes, n);
        return rc;
    }
    if (strcmp(op, "verify") == 0) {
        chorus_method m = CHORUS_METHOD_NONE;
        long long lock = 0;
        return chorus_verify_code(ctx, user, arg ? arg : "", &m, &lock);
    }
    if (strcmp(op, "unlock") == 0) return chorus_user_unlock(ctx, user);
    if (strcmp(op, "status") == 0) {
        chorus_status_t* st = NULL;
        int rc = chorus_status_get(ctx, user, &st);
        if (rc == CHORUS_OK)
            printf("failures=%d recovery=%d\n", chorus_status_failures(st), chorus_status_recovery_left(st));
        chorus_status_free(&st);
        return rc;
    }
    return CHORUS_ERR_INVALID_ARG;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s CONFIG OP USER [ARG]\n", argv[0]);
        return 2;
    }
    chorus_ctx_t* ctx = NULL;
    int rc = chorus_ctx_new(&ctx, argv[1], log_stderr, NULL, 0);
    if (rc == CHORUS_OK) rc = run(ctx, argv[2], argv[3], argc > 4 ? argv[4] : NULL);
    chorus_ctx_free(&ctx);
    printf("rc=%d\n", rc);
    fflush(stdout);
    return rc == CHORUS_OK ? 0 : 100 - rc;
}
