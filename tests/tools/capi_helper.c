/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper for the chorusctl tests: does through the public C API what
 * chorusctl deliberately does not offer (logging in, setting a password).
 *
 *   capi_helper verify CONFIG USER CODE   exit 0 when accepted; prints the method
 *   capi_helper record CONFIG USER        records the password read from stdin
 */
#include <stdio.h>
#include <string.h>

#include <chorus/chorus.h>

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    (void)priority;
    fprintf(stderr, "capi_helper: %s\n", message);
}

static int verify(chorus_ctx_t* ctx, const char* user, const char* code) {
    chorus_method method = CHORUS_METHOD_NONE;
    long long lock = 0;
    int rc = chorus_verify_code(ctx, user, code, &method, &lock);
    if (rc != CHORUS_OK) {
        printf("refused: %s (lock %lld)\n", chorus_strerror(rc), lock);
        return 1;
    }
    printf("accepted: %s\n", method == CHORUS_METHOD_TOTP ? "totp" : "recovery");
    return 0;
}

static int record(chorus_ctx_t* ctx, const char* user) {
    char pw[1024];
    if (fgets(pw, sizeof pw, stdin) == NULL) return 2;
    pw[strcspn(pw, "\n")] = '\0';
    int rc = chorus_password_record(ctx, user, pw);
    memset(pw, 0, sizeof pw);
    if (rc != CHORUS_OK) {
        fprintf(stderr, "record: %s (%s)\n", chorus_strerror(rc), chorus_ctx_last_error(ctx));
        return 1;
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 4 || (strcmp(argv[1], "verify") == 0 && argc != 5)) {
        fprintf(stderr, "usage: capi_helper verify CONFIG USER CODE | record CONFIG USER\n");
        return 2;
    }
    chorus_ctx_t* ctx = NULL;
    int rc = chorus_ctx_new(&ctx, argv[2], log_stderr, NULL, 0);
    if (rc != CHORUS_OK) {
        fprintf(stderr, "capi_helper: chorus_ctx_new: %s\n", chorus_strerror(rc));
        return 2;
    }
    int status = 2;
    if (strcmp(argv[1], "verify") == 0)
        status = verify(ctx, argv[3], argv[4]);
    else if (strcmp(argv[1], "record") == 0)
        status = record(ctx, argv[3]);
    chorus_ctx_free(&ctx);
    return status;
}
