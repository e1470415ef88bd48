/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small PAM application that runs as an ordinary user, as a screen locker
 * does, and verifies that user's code through the real pam_chorus.so (which
 * then asks the setuid chorus-check). It prepares the caller's state the way
 * hostile or merely careless applications do before calling PAM:
 *
 *   nonroot_app CONFDIR SERVICE SIGCHLD CODE [silent]
 *     SIGCHLD  default | ignore | nocldwait | reap (a handler that reaps
 *              every child, as event loops do)
 *     CODE     the answer to every echo-off prompt
 *
 * It also leaves a descriptor open without FD_CLOEXEC (the helper must not
 * inherit it). Prints "auth=<PAM name>" and every text shown ("info: ..." /
 * "error: ..."), and exits 0 only when pam_authenticate returned PAM_SUCCESS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

static const char* answer_code;
static volatile sig_atomic_t reaped;

static void reap_all(int sig) {
    (void)sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) reaped++;
    errno = saved;
}

static int converse(int n, const struct pam_message** msg, struct pam_response** resp, void* arg) {
    (void)arg;
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; i++) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
        case PAM_PROMPT_ECHO_ON:
            printf("prompt: %s\n", msg[i]->msg);
            r[i].resp = strdup(answer_code);
            break;
        case PAM_ERROR_MSG:
            printf("error: %s\n", msg[i]->msg);
            break;
        default:
            printf("info: %s\n", msg[i]->msg);
            break;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static int set_sigchld(const char* mode) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (strcmp(mode, "default") == 0)
        sa.sa_handler = SIG_DFL;
    else if (strcmp(mode, "ignore") == 0)
        sa.sa_handler = SIG_IGN;
    else if (strcmp(mode, "nocldwait") == 0) {
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = SA_NOCLDWAIT;
    } else if (strcmp(mode, "reap") == 0) {
        sa.sa_handler = reap_all;
        sa.sa_flags = SA_RESTART;
    } else
        return -1;
    return sigaction(SIGCHLD, &sa, NULL);
}

int main(int argc, char** argv) {
    if (argc < 5 || argc > 6) {
        fprintf(stderr, "usage: %s CONFDIR SERVICE SIGCHLD CODE [silent]\n", argv[0]);
        return 2;
    }
    answer_code = argv[4];
    const int flags = argc == 6 && strcmp(argv[5], "silent") == 0 ? PAM_SILENT : 0;
    if (set_sigchld(argv[3]) != 0) {
        fprintf(stderr, "bad SIGCHLD mode %s\n", argv[3]);
        return 2;
    }
    /* A descriptor the helper must not see (a screen locker's X socket). */
    int leak = open("/dev/null", O_RDONLY);
    if (leak < 0) return 2;

    const char* user = getenv("USER");
    if (user == NULL) return 2;
    const struct pam_conv conv = {converse, NULL};
    pam_handle_t* pamh = NULL;
    int rc = pam_start_confdir(argv[2], user, &conv, argv[1], &pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "pam_start_confdir: %d\n", rc);
        return 2;
    }
    rc = pam_authenticate(pamh, flags);
    printf("auth=%s\n", pam_strerror(pamh, rc));
    int acct = rc == PAM_SUCCESS ? pam_acct_mgmt(pamh, flags) : rc;
    printf("account=%s\n", pam_strerror(pamh, acct));
    /* The application's own handler still works after the call. */
    pid_t child = fork();
    if (child == 0) _exit(0);
    if (strcmp(argv[3], "reap") == 0) {
        for (int i = 0; i < 200 && reaped == 0; i++) usleep(10000);
        printf("handler=%s\n", reaped > 0 ? "ran" : "silent");
    } else if (child > 0) {
        waitpid(child, NULL, 0);
    }
    pam_end(pamh, rc);
    close(leak);
    return rc == PAM_SUCCESS && acct == PAM_SUCCESS ? 0 : 1;
}
