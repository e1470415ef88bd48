/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper for the PostgreSQL store tests: one "host" logging users in
 * through the public C API, as pam_chorus.so does.
 *
 *   pg_helper verify CONFIG USER CODE   prints "rc=N"; exit 0 when accepted
 *   pg_helper serve CONFIG              one context; reads "USER CODE" lines,
 *                                       prints "rc=N" for each (survives a
 *                                       database restart)
 *   pg_helper maps CONFIG USER CODE     verifies, then prints "libpq=yes|no"
 *                                       from /proc/self/maps
 *   pg_helper login CONFIG USER CODE    what one PAM handle does: the auth
 *                                       stage with CODE, then the account
 *                                       stage, on one context; prints
 *                                       "auth=N result=R account=N"
 */
#include <stdio.h>
#include <string.h>

#include <chorus/chorus.h>

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    (void)priority;
    fprintf(stderr, "pg_helper: %s\n", message);
}

static int verify(chorus_ctx_t* ctx, const char* user, const char* code) {
    int rc = chorus_verify_code(ctx, user, code, NULL, NULL);
    printf("rc=%d\n", rc);
    fflush(stdout);
    /* What pam_chorus.so writes to syslog for a refusal. */
    if (rc != CHORUS_OK)
        fprintf(stderr, "pg_helper: %s: %s (%s)\n", user, chorus_strerror(rc), chorus_ctx_last_error(ctx));
    return rc;
}

static int serve(chorus_ctx_t* ctx) {
    char line[512], user[256], code[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (sscanf(line, "%255s %63s", user, code) != 2) return 2;
        (void)verify(ctx, user, code);
    }
    return 0;
}

static int show(void* arg, chorus_msg_kind kind, const char* text) {
    (void)arg;
    (void)kind;
    fprintf(stderr, "pg_helper: shown: %s\n", text);
    return 0;
}

static int ask(void* arg, int echo, const char* prompt, char** answer) {
    (void)arg;
    (void)echo;
    (void)answer;
    fprintf(stderr, "pg_helper: asked: %s (no answer)\n", prompt);
    return 1;
}

static int login(chorus_ctx_t* ctx, const char* user, const char* code) {
    const chorus_prompter p = {NULL, show, ask};
    chorus_login_result result = 0;
    const int auth = chorus_login_authenticate(ctx, user, &p, code, &result);
    const int account = auth == CHORUS_OK ? chorus_login_account(ctx, user, &p, 0) : auth;
    printf("auth=%d result=%d account=%d\n", auth, (int)result, account);
    return auth == CHORUS_OK && account == CHORUS_OK ? 0 : 1;
}

static int maps(void) {
    char line[4096];
    int found = 0;
    FILE* f = fopen("/proc/self/maps", "r");
    if (f == NULL) return 2;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "libpq") != NULL) found = 1;
    fclose(f);
    printf("libpq=%s\n", found ? "yes" : "no");
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: pg_helper verify|serve|maps|login CONFIG [USER CODE]\n");
        return 2;
    }
    chorus_ctx_t* ctx = NULL;
    int rc = chorus_ctx_new(&ctx, argv[2], log_stderr, NULL, 0);
    if (rc != CHORUS_OK) {
        printf("ctx=%d\n", rc);
        return 3;
    }
    int status = 2;
    if (strcmp(argv[1], "serve") == 0)
        status = serve(ctx);
    else if (argc == 5 && strcmp(argv[1], "verify") == 0)
        status = verify(ctx, argv[3], argv[4]) == CHORUS_OK ? 0 : 1;
    else if (argc == 5 && strcmp(argv[1], "login") == 0)
        status = login(ctx, argv[3], argv[4]);
    else if (argc == 5 && strcmp(argv[1], "maps") == 0) {
        (void)verify(ctx, argv[3], argv[4]);
        status = maps();
    }
    chorus_ctx_free(&ctx);
    return status;
}
