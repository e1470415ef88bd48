/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End to end through the library: a login that asks for an SMS code.
 *
 *   login_by_sms USER REQUESTS_FILE [WRONG]
 *
 * Uses the default configuration (/etc/chorus/chorus.yaml; the test mounts
 * its own there, in a private namespace), answers "sms" at the code prompt,
 * and types back the code found in what the SMS gateway received
 * (REQUESTS_FILE, one JSON request per line), or a wrong one with WRONG.
 * Exit 0 when the login is verified, 1 when refused, 2 on setup errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chorus/chorus.h>

struct answers {
    const char* requests;
    int wrong;
};

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    fprintf(stderr, "login_by_sms: <%d> %s\n", priority, message);
}

static int show(void* arg, chorus_msg_kind kind, const char* text) {
    (void)arg;
    fprintf(stderr, "%s: %s\n", kind == CHORUS_MSG_ERROR ? "error" : "info", text);
    return 0;
}

/* The six digits after "code is " in the last request the gateway received. */
static int code_from_gateway(const char* path, char code[7]) {
    char line[8192];
    int found = 0;
    FILE* f = fopen(path, "r");
    if (f == NULL) return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        const char* p = strstr(line, "code is ");
        if (p != NULL && strlen(p) >= 14) {
            memcpy(code, p + 8, 6);
            code[6] = '\0';
            found = 1;
        }
    }
    fclose(f);
    return found ? 0 : -1;
}

static int ask(void* arg, int echo, const char* prompt, char** answer) {
    struct answers* a = arg;
    char code[7] = "";
    (void)echo;
    fprintf(stderr, "prompt: %s\n", prompt);
    if (strstr(prompt, "text message") == NULL) {
        *answer = strdup("sms");
        return *answer == NULL;
    }
    if (code_from_gateway(a->requests, code) != 0) return 1;
    if (a->wrong) code[5] = code[5] == '0' ? '1' : '0';
    *answer = strdup(code);
    return *answer == NULL;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: login_by_sms USER REQUESTS_FILE [WRONG]\n");
        return 2;
    }
    struct answers a = {argv[2], argc > 3};
    chorus_prompter prompter = {&a, show, ask};
    chorus_ctx_t* ctx = NULL;
    if (chorus_ctx_new(&ctx, NULL, log_stderr, NULL, 0) != CHORUS_OK) return 2;
    chorus_login_result result = 0;
    int rc = chorus_login_authenticate(ctx, argv[1], &prompter, NULL, &result);
    fprintf(stderr, "login: %s\n", chorus_strerror(rc));
    chorus_ctx_free(&ctx);
    return rc == CHORUS_OK && result == CHORUS_LOGIN_VERIFIED ? 0 : 1;
}
