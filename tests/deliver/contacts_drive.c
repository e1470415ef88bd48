/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Plays the user of the contact flows through the library's C API, with
 * the real chorus-deliver and the test's HTTP gateway:
 *
 *   contacts_drive REQUESTS_FILE prove USER WHICH VALUE HOW|- [ANSWER...]
 *   contacts_drive REQUESTS_FILE login USER [ANSWER...]
 *   contacts_drive REQUESTS_FILE register USER [ANSWER...]
 *   contacts_drive REQUESTS_FILE default USER METHOD
 *
 * Uses the default configuration (the test mounts its own /etc/chorus).
 * Each question the library asks takes the next ANSWER; "@code" types the
 * code of the last request the gateway received (REQUESTS_FILE, one JSON
 * request per line), "@wrong" that code with its last digit changed, "@mail"
 * the code in the last mail the SMTP sink kept (N.eml in the directory
 * "mail" beside the one of REQUESTS_FILE), "@app"
 * the current code of the key the library showed ("Or enter this key by
 * hand: ..."), "-" an empty line. Running out of answers ends the
 * conversation. Every message and prompt is printed on stderr.
 * Exit 0 when the flow succeeded (a login: verified), 1 when it was
 * refused, 2 on setup errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <chorus/chorus.h>

#include "ref_totp.h"

struct script {
    const char* requests;
    char** answers;
    int left;
    char key[128]; /* base32, from "Or enter this key by hand: " */
};

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    fprintf(stderr, "log: <%d> %s\n", priority, message);
}

static int show(void* arg, chorus_msg_kind kind, const char* text) {
    struct script* s = arg;
    const char* k = strstr(text, "Or enter this key by hand: ");
    if (k != NULL) {
        size_t n = 0;
        for (k += strlen("Or enter this key by hand: "); *k != '\0' && *k != '\n' && n + 1 < sizeof s->key;
             ++k)
            if (*k != ' ') s->key[n++] = *k;
        s->key[n] = '\0';
    }
    fprintf(stderr, "%s: %s\n", kind == CHORUS_MSG_ERROR ? "error" : "info", text);
    return 0;
}

/* The six digits after the last "code is " in a file; 0 when found. */
static int code_in_file(const char* path, char code[7]) {
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

/* The code in the newest mail: DIR/../mail/N.eml for the highest N. */
static int code_from_mail(const char* requests, char code[7]) {
    char dir[4096];
    char path[4200];
    int found = -1;
    snprintf(dir, sizeof dir, "%s", requests);
    for (int up = 0; up < 2; ++up) {
        char* slash = strrchr(dir, '/');
        if (slash == NULL) return -1;
        *slash = '\0';
    }
    for (int n = 1; n < 1000; ++n) {
        snprintf(path, sizeof path, "%s/mail/%d.eml", dir, n);
        if (code_in_file(path, code) != 0) break;
        found = 0;
    }
    return found;
}

static int ask(void* arg, int echo, const char* prompt, char** answer) {
    struct script* s = arg;
    char buf[32] = "";
    const char* a = buf;
    (void)echo;
    fprintf(stderr, "prompt: %s\n", prompt);
    if (s->left == 0) return 1;
    const char* next = *s->answers++;
    --s->left;
    if (strcmp(next, "@mail") == 0) {
        if (code_from_mail(s->requests, buf) != 0) return 1;
    } else if (strcmp(next, "@code") == 0 || strcmp(next, "@wrong") == 0) {
        if (code_in_file(s->requests, buf) != 0) return 1;
        if (next[1] == 'w') buf[5] = buf[5] == '0' ? '1' : '0';
    } else if (strcmp(next, "@app") == 0) {
        if (s->key[0] == '\0' || ref_totp_base32(s->key, time(NULL), buf) != 0) return 1;
    } else if (strcmp(next, "-") != 0) {
        a = next;
    }
    fprintf(stderr, "answer: %s\n", a);
    *answer = strdup(a);
    return *answer == NULL;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: contacts_drive REQUESTS_FILE prove|login|register|default USER ...\n");
        return 2;
    }
    const char* verb = argv[2];
    const char* user = argv[3];
    int first_answer = strcmp(verb, "prove") == 0 ? 7 : 4;
    if (argc < first_answer) return 2;
    struct script s = {argv[1], argv + first_answer, argc - first_answer, ""};
    chorus_prompter prompter = {&s, show, ask};
    chorus_ctx_t* ctx = NULL;
    if (chorus_ctx_new(&ctx, NULL, log_stderr, NULL, 0) != CHORUS_OK) return 2;
    int rc = CHORUS_ERR_INVALID_ARG;
    chorus_login_result result = 0;
    if (strcmp(verb, "prove") == 0) {
        const char* how = strcmp(argv[6], "-") == 0 ? NULL : argv[6];
        rc = chorus_user_prove_contact(ctx, user, argv[4], argv[5], how, &prompter);
    } else if (strcmp(verb, "login") == 0) {
        rc = chorus_login_authenticate(ctx, user, &prompter, NULL, &result);
        if (rc == CHORUS_OK && result != CHORUS_LOGIN_VERIFIED) rc = CHORUS_ERR_INTERNAL;
    } else if (strcmp(verb, "default") == 0 && argc == 5) {
        rc = chorus_user_set_default_method(ctx, user, argv[4]);
    } else if (strcmp(verb, "register") == 0) {
        rc = chorus_register_interactive(ctx, user, &prompter,
                                         CHORUS_REGISTER_NO_QR | CHORUS_REGISTER_NO_RECOVERY);
    }
    fprintf(stderr, "result: %s\n", chorus_strerror(rc));
    chorus_ctx_free(&ctx);
    return rc == CHORUS_OK ? 0 : 1;
}
