/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Failure injected into every call pam_chorus.so makes, through the real
 * module under pam_wrapper (tests/pam/pt_fixture.c): the Nth allocation for
 * every N, getpwnam_r, pam_get_user, pam_get_item and the conversation. The
 * interposers live in this executable, which comes first in symbol lookup, so
 * they also catch the module's and libchorusauth's calls. Invariants, under
 * `required` (followed by pam_permit: an IGNORE would pass) and `sufficient`
 * (followed by pam_deny): a wrong code never passes; a pass with a correct
 * recovery code means the code was really consumed; nothing crashes.
 */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dlfcn.h>
#include <execinfo.h>
#include <security/pam_modules.h>

#include <chorus/chorus.h>

static const struct pt_service services[] = {
    {"f-required",
     "auth required @MODULE@ config=@CONFIG@\nauth required pam_permit.so\n"
     "account required @MODULE@ config=@CONFIG@\naccount required pam_permit.so\n"},
    {"f-sufficient",
     "auth sufficient @MODULE@ config=@CONFIG@\nauth required pam_deny.so\n"
     "account sufficient @MODULE@ config=@CONFIG@\naccount required pam_deny.so\n"},
    {NULL, NULL}};

/* ---- interposers --------------------------------------------------------------- */

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);

static long alloc_count, alloc_fail_at; /* 0: counting only */
static int armed_alloc, fail_pwnam, fail_get_user, fail_get_item;

static int alloc_fails(void) {
    if (!armed_alloc) return 0;
    return ++alloc_count == alloc_fail_at;
}

__attribute__((visibility("default"))) void* malloc(size_t n) {
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(n);
}

__attribute__((visibility("default"))) void* calloc(size_t a, size_t b) {
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(a, b);
}

__attribute__((visibility("default"))) void* realloc(void* p, size_t n) {
    if (alloc_fails()) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_realloc(p, n);
}

__attribute__((visibility("default"))) int getpwnam_r(const char* name, struct passwd* pw, char* buf,
                                                      size_t len, struct passwd** out) {
    if (fail_pwnam) {
        *out = NULL;
        return ENOMEM;
    }
    int (*real)(const char*, struct passwd*, char*, size_t, struct passwd**) =
        (int (*)(const char*, struct passwd*, char*, size_t, struct passwd**))dlsym(RTLD_NEXT, "getpwnam_r");
    return real(name, pw, buf, len, out);
}

__attribute__((visibility("default"))) int pam_get_user(pam_handle_t* pamh, const char** user,
                                                        const char* prompt) {
    if (fail_get_user) return PAM_SYSTEM_ERR;
    int (*real)(pam_handle_t*, const char**, const char*) =
        (int (*)(pam_handle_t*, const char**, const char*))dlsym(RTLD_NEXT, "pam_get_user");
    return real(pamh, user, prompt);
}

__attribute__((visibility("default"))) int pam_get_item(const pam_handle_t* pamh, int type,
                                                        const void** item) {
    if (fail_get_item) return PAM_SYSTEM_ERR;
    int (*real)(const pam_handle_t*, int, const void**) =
        (int (*)(const pam_handle_t*, int, const void**))dlsym(RTLD_NEXT, "pam_get_item");
    return real(pamh, type, item);
}

/* ---- one PAM run in a child ------------------------------------------------------- */

struct conv_arg {
    const char* answer;
    int fail; /* the conversation itself fails */
};

static int conv(int n, const struct pam_message** msg, struct pam_response** resp, void* appdata) {
    struct conv_arg* a = appdata;
    if (a->fail) return PAM_CONV_ERR;
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; i++)
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
            r[i].resp = strdup(a->answer);
    *resp = r;
    return PAM_SUCCESS;
}

static void crash_trace(int sig) {
    void* frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, 2);
    signal(sig, SIG_DFL);
    raise(sig);
}

enum fault { F_NONE, F_ALLOC, F_PWNAM, F_GET_USER, F_GET_ITEM, F_CONV };

/* Runs auth (account when account != 0) in a child with the fault; returns the
 * PAM result, or -1000-signal on a crash. *allocs gets the allocation count. */
static int pam_run(const char* service, const char* user, const char* answer, enum fault f, long nth,
                   int account, long* allocs) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        /* cmocka catches these to fail a test; a child must just die */
        signal(SIGSEGV, SIG_DFL), signal(SIGABRT, SIG_DFL), signal(SIGBUS, SIG_DFL), signal(SIGILL, SIG_DFL);
        signal(SIGFPE, SIG_DFL);
        if (getenv("FAULT_BACKTRACE")) {
            void* warm[2];
            backtrace(warm, 2); /* loads libgcc before any allocation fails */
            signal(SIGSEGV, crash_trace);
        }
        alarm(20);
        struct conv_arg a = {answer, f == F_CONV};
        struct pam_conv c = {conv, &a};
        pam_handle_t* pamh = NULL;
        /* pam_wrapper sets up again in a forked child, at its first pam_start. */
        int lock = pt_wrapper_lock();
        int rc = pam_start(service, user, &c, &pamh);
        pt_wrapper_unlock(lock);
        if (rc == PAM_SUCCESS) {
            alloc_count = 0;
            alloc_fail_at = f == F_ALLOC ? nth : 0;
            armed_alloc = 1;
            fail_pwnam = f == F_PWNAM;
            fail_get_user = f == F_GET_USER;
            fail_get_item = f == F_GET_ITEM;
            rc = account ? pam_acct_mgmt(pamh, 0) : pam_authenticate(pamh, 0);
            armed_alloc = fail_pwnam = fail_get_user = fail_get_item = 0;
            pam_end(pamh, rc);
        }
        long out[2] = {rc, alloc_count};
        (void)!write(p[1], out, sizeof out);
        _exit(0);
    }
    close(p[1]);
    long out[2] = {-1, 0};
    ssize_t got = read(p[0], out, sizeof out);
    close(p[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status)) return -1000 - WTERMSIG(status);
    if (got != (ssize_t)sizeof out) /* died without answering (glibc's fatal TLS error exits) */
        return -1000;
    if (allocs) *allocs = out[1];
    return (int)out[0];
}

static void config(void) {
    pt_config("lockout:\n  max_failures: 1000\n");
}

static const char* fresh_recovery_code(const char* user) {
    static char code[64];
    char** codes = NULL;
    size_t n = 0;
    pt_recovery_codes(user, &codes, &n);
    assert_true(n > 0);
    snprintf(code, sizeof code, "%s", codes[0]);
    chorus_strings_free(&codes, n);
    return code;
}

static int recovery_left(const char* user) {
    chorus_ctx_t* ctx = NULL;
    assert_int_equal(chorus_ctx_new(&ctx, pt_config_path(), NULL, NULL, 0), CHORUS_OK);
    chorus_status_t* st = NULL;
    assert_int_equal(chorus_status_get(ctx, user, &st), CHORUS_OK);
    int n = chorus_status_recovery_left(st);
    chorus_status_free(&st);
    chorus_ctx_free(&ctx);
    return n;
}

/* A crash denies too (the login process dies), so it is reported, not failed:
 * the ones seen are inside glibc's NSS when its own malloc fails (run with
 * FAULT_BACKTRACE=1 for a trace). A pass is what must never happen. */
static int crashes;
static void check(int rc, const char* service, const char* what, long n) {
    if (rc <= -1000) {
        crashes++;
        fprintf(stderr, "note: %s, %s (N=%ld): the process died of signal %d\n", service, what, n,
                -1000 - rc);
    }
}

/* The Nth allocation fails, for every N up to what a successful auth makes. */
static void test_every_allocation_failure_fails_closed(void** state) {
    (void)state;
    config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    long total = 0;
    assert_int_equal(pam_run("f-required", user, fresh_recovery_code(user), F_ALLOC, 0, 0, &total),
                     PAM_SUCCESS);
    fprintf(stderr, "a successful auth makes %ld allocations\n", total);
    assert_true(total > 10);
    long stride = total > 1500 ? total / 1500 + 1 : 1;
    int passed = 0;
    for (long n = 1; n <= total; n += stride) {
        /* a wrong code: never passes */
        for (int s = 0; s < 2; s++) {
            const char* svc = s ? "f-sufficient" : "f-required";
            int rc = pam_run(svc, user, "000000", F_ALLOC, n, 0, NULL);
            check(rc, svc, "wrong code", n);
            if (rc == PAM_SUCCESS || (s == 0 && rc == PAM_IGNORE))
                fail_msg("DEFECT: %s passed a wrong code when allocation %ld failed", svc, n);
        }
        /* a correct recovery code: a pass means it was consumed */
        const char* code = fresh_recovery_code(user);
        int before = recovery_left(user);
        int rc = pam_run("f-required", user, code, F_ALLOC, n, 0, NULL);
        check(rc, "f-required", "correct code", n);
        if (rc == PAM_SUCCESS) {
            passed++;
            if (recovery_left(user) != before - 1)
                fail_msg("DEFECT: allocation %ld failed and the login passed without consuming the code", n);
        }
    }
    fprintf(stderr, "stride %ld; %d runs passed with the code really consumed; %d crashed\n", stride, passed,
            crashes);
}

static void test_failing_lookups_and_conversation_fail_closed(void** state) {
    (void)state;
    config();
    const char* enrolled = pt_user_add(NULL);
    pt_enroll(enrolled, PT_SECRET);
    const char* fresh = pt_user_add(NULL); /* not enrolled: policy "required" */
    static const enum fault faults[] = {F_PWNAM, F_GET_USER, F_GET_ITEM, F_CONV};
    static const char* names[] = {"", "", "getpwnam_r", "pam_get_user", "pam_get_item", "conversation"};
    for (size_t i = 0; i < 4; i++) {
        for (int s = 0; s < 2; s++) {
            const char* svc = s ? "f-sufficient" : "f-required";
            for (int account = 0; account < 2; account++) {
                /* enrolled, correct code: the fault must stop it, except
                 * where the failed call is not needed (then: consumed) */
                const char* code = fresh_recovery_code(enrolled);
                int before = recovery_left(enrolled);
                int rc = pam_run(svc, enrolled, code, faults[i], 0, account, NULL);
                check(rc, svc, names[faults[i]], 0);
                if (rc == PAM_SUCCESS && !account && recovery_left(enrolled) != before - 1)
                    fail_msg("DEFECT: %s failing: %s auth passed without a verified code", names[faults[i]],
                             svc);
                /* unenrolled user, required policy: never through */
                rc = pam_run(svc, fresh, "123456", faults[i], 0, account, NULL);
                check(rc, svc, names[faults[i]], 0);
                if (account && rc == PAM_SUCCESS)
                    fail_msg("DEFECT: %s failing: %s account passed an unenrolled user", names[faults[i]],
                             svc);
                if (!account && s == 1 && rc == PAM_SUCCESS)
                    fail_msg("DEFECT: %s failing: sufficient auth passed an unenrolled user",
                             names[faults[i]]);
            }
        }
    }
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_every_allocation_failure_fails_closed),
        PT_TEST(test_failing_lookups_and_conversation_fail_closed),
    };
    return pt_main(argc, argv, "faults.pam", services, tests, sizeof tests / sizeof tests[0]);
}
