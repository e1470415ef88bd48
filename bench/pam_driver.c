/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The login driver: pam_start_confdir -> pam_authenticate -> pam_end in a
 * loop, through a real PAM service file in a private directory, answering
 * every prompt with a code computed here. It links only libpam (plus the
 * account shim in nss_shim.c), so every module under test loads its own
 * libraries exactly as it would in sshd or login.
 *
 *   pam_driver SERVICE CONFDIR LABEL seq  FIRST STRIDE COUNT CASES
 *       CASES: comma list of correct, replay, wrong, unknown, run in turn for
 *       each user (replay replays the code "correct" just used); total_s
 *       sums the logins of a case
 *   pam_driver SERVICE CONFDIR LABEL par  FIRST STRIDE COUNT PROCS
 *       correct codes, users split over PROCS processes started together
 *   pam_driver SERVICE CONFDIR LABEL same USER PROCS
 *       PROCS processes at once, one user, the same code
 *   pam_driver SERVICE CONFDIR LABEL fresh FIRST STRIDE COUNT CASES
 *       as seq, but every login in a new child process (as in sshd, where
 *       each connection's process loads the modules and their libraries);
 *       cases are reported as fresh_CASE
 *
 * Output: one "RESULT key=value ..." line per case (read by bench/report.py).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "bench_otp.h"

struct answer {
    char code[16];
};

static int conv(int n, const struct pam_message** msg, struct pam_response** resp, void* data) {
    const struct answer* a = data;
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
            r[i].resp = strdup(a->code);
            if (r[i].resp == NULL) {
                for (int j = 0; j < i; ++j) free(r[j].resp);
                free(r);
                return PAM_BUF_ERR;
            }
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

static const char *g_service, *g_confdir, *g_label;
static int g_maps_checked, g_curl = -1, g_pq = -1, g_fresh;
static long g_child_rss_kb; /* fresh mode: the largest child's peak RSS */

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Whether the login process now maps libcurl or libpq (it must not). */
static void check_maps(void) {
    FILE* f = fopen("/proc/self/maps", "r");
    char line[1024];
    g_curl = g_pq = 0;
    while (f && fgets(line, sizeof line, f)) {
        g_curl |= strstr(line, "libcurl") != NULL;
        g_pq |= strstr(line, "libpq") != NULL;
    }
    if (f) fclose(f);
    g_maps_checked = 1;
}

static int login_here(const char* user, unsigned code, double* us);

/* fresh mode: the login runs in a child; its result comes back by pipe. */
static int login_in_child(const char* user, unsigned code, double* us) {
    struct {
        int rc, curl, pq;
        double us;
    } out = {PAM_SYSTEM_ERR, -1, -1, 0};
    int fd[2], status;
    if (pipe(fd) != 0) return PAM_SYSTEM_ERR;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        out.rc = login_here(user, code, &out.us);
        out.curl = g_curl, out.pq = g_pq;
        _exit(write(fd[1], &out, sizeof out) == (ssize_t)sizeof out ? 0 : 3);
    }
    close(fd[1]);
    if (pid < 0 || read(fd[0], &out, sizeof out) != (ssize_t)sizeof out) out.rc = PAM_SYSTEM_ERR;
    close(fd[0]);
    struct rusage ru;
    if (pid > 0 && wait4(pid, &status, 0, &ru) == pid && ru.ru_maxrss > g_child_rss_kb)
        g_child_rss_kb = ru.ru_maxrss;
    if (!g_maps_checked && out.pq >= 0) g_curl = out.curl, g_pq = out.pq, g_maps_checked = 1;
    *us = out.us;
    return out.rc;
}

static int login(const char* user, unsigned code, double* us) {
    return g_fresh ? login_in_child(user, code, us) : login_here(user, code, us);
}

/* One login; returns the PAM result and adds its duration to *us. */
static int login_here(const char* user, unsigned code, double* us) {
    struct answer a;
    snprintf(a.code, sizeof a.code, "%06u", code);
    struct pam_conv c = {conv, &a};
    pam_handle_t* pamh = NULL;
    double t0 = now_us();
    int rc = pam_start_confdir(g_service, user, &c, g_confdir, &pamh);
    if (rc == PAM_SUCCESS) {
        rc = pam_authenticate(pamh, PAM_SILENT);
        if (!g_maps_checked) check_maps(); /* modules are still loaded until pam_end */
        pam_end(pamh, rc);
    }
    *us = now_us() - t0;
    return rc;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static long peak_rss_kb(void) {
    if (g_fresh) return g_child_rss_kb;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void report(const char* kase, double* lat, size_t n, size_t ok, double wall_us) {
    qsort(lat, n, sizeof *lat, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += lat[i];
    printf(
        "RESULT label=%s case=%s n=%zu ok=%zu median_us=%.1f p99_us=%.1f mean_us=%.1f total_s=%.3f "
        "rss_kb=%ld curl=%d pq=%d\n",
        g_label, kase, n, ok, n ? lat[n / 2] : 0.0, n ? lat[(n * 99) / 100] : 0.0, n ? sum / (double)n : 0.0,
        wall_us / 1e6, peak_rss_kb(), g_curl, g_pq);
    fflush(stdout);
}

/*
 * Cases are interleaved per user (correct, replay, wrong, ... for one user,
 * then the next), so every case sees the same disk and cache conditions.
 */
static int run_seq(unsigned first, unsigned stride, unsigned count, const char* cases) {
    enum { kMaxCases = 8 };
    const char* names[kMaxCases];
    int ncases = 0;
    char* list = strdup(cases);
    for (char *save = NULL, *k = strtok_r(list, ",", &save); k && ncases < kMaxCases;
         k = strtok_r(NULL, ",", &save))
        names[ncases++] = k;
    double* lat = calloc((size_t)count * (size_t)ncases, sizeof *lat);
    size_t ok[kMaxCases] = {0};
    double busy[kMaxCases] = {0};
    if (!lat) return 1;
    for (unsigned j = 0; j < count; ++j) {
        unsigned idx = first + j * stride;
        uint8_t key[BENCH_KEY_BYTES];
        uint64_t accepted = 0;
        bench_user_key(idx, key);
        for (int c = 0; c < ncases; ++c) {
            const char* kase = names[c];
            char user[24];
            unsigned code;
            bench_user_name(idx, user, sizeof user);
            if (strcmp(kase, "correct") == 0) {
                accepted = bench_step_now();
                code = bench_totp(key, accepted);
            } else if (strcmp(kase, "replay") == 0) {
                code = bench_totp(key, accepted); /* the code "correct" just used */
            } else if (strcmp(kase, "wrong") == 0) {
                code = bench_wrong_code(key, bench_step_now());
            } else if (strcmp(kase, "unknown") == 0) {
                snprintf(user, sizeof user, "ghost%06u", idx);
                code = bench_totp(key, bench_step_now());
            } else {
                fprintf(stderr, "unknown case %s\n", kase);
                return 2;
            }
            double* slot = &lat[(size_t)c * count + j];
            ok[c] += login(user, code, slot) == PAM_SUCCESS;
            busy[c] += *slot;
        }
    }
    for (int c = 0; c < ncases; ++c) {
        char kase[40];
        snprintf(kase, sizeof kase, "%s%s", g_fresh ? "fresh_" : "", names[c]);
        report(kase, &lat[(size_t)c * count], count, ok[c], busy[c]);
    }
    free(list);
    free(lat);
    return 0;
}

/*
 * Starts procs children that block on a pipe until all exist, runs job(k) in
 * child k (its result is the number of successful logins), and reports the
 * wall time from release to the last exit.
 */
static int run_children(unsigned procs, unsigned (*job)(unsigned k, void* arg), void* arg, const char* kase,
                        size_t logins) {
    int gate[2], res[2];
    if (pipe(gate) != 0 || pipe(res) != 0) return 1;
    for (unsigned k = 0; k < procs; ++k) {
        pid_t pid = fork();
        if (pid < 0) return 1;
        if (pid == 0) {
            close(gate[1]);
            char b;
            if (read(gate[0], &b, 1) < 0) _exit(3);
            unsigned ok = job(k, arg);
            if (write(res[1], &ok, sizeof ok) != (ssize_t)sizeof ok) _exit(3);
            _exit(0);
        }
    }
    close(res[1]);
    double t0 = now_us();
    close(gate[1]); /* every child reads EOF at once */
    int failed = 0, status;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    double wall = now_us() - t0;
    size_t ok = 0;
    unsigned v;
    while (read(res[0], &v, sizeof v) == (ssize_t)sizeof v) ok += v;
    printf("RESULT label=%s case=%s procs=%u n=%zu ok=%zu total_s=%.3f per_s=%.1f failed_children=%d\n",
           g_label, kase, procs, logins, ok, wall / 1e6, (double)logins / (wall / 1e6), failed);
    fflush(stdout);
    return failed;
}

struct par_arg {
    unsigned first, stride, count, procs;
};

static unsigned par_job(unsigned k, void* p) {
    const struct par_arg* a = p;
    unsigned ok = 0;
    for (unsigned j = k; j < a->count; j += a->procs) {
        unsigned idx = a->first + j * a->stride;
        char user[24];
        uint8_t key[BENCH_KEY_BYTES];
        double us;
        bench_user_name(idx, user, sizeof user);
        bench_user_key(idx, key);
        ok += login(user, bench_totp(key, bench_step_now()), &us) == PAM_SUCCESS;
    }
    return ok;
}

struct same_arg {
    unsigned user;
    uint64_t step;
};

static unsigned same_job(unsigned k, void* p) {
    (void)k;
    const struct same_arg* a = p;
    char user[24];
    uint8_t key[BENCH_KEY_BYTES];
    double us;
    bench_user_name(a->user, user, sizeof user);
    bench_user_key(a->user, key);
    return login(user, bench_totp(key, a->step), &us) == PAM_SUCCESS;
}

static unsigned arg_u(const char* s) {
    return (unsigned)strtoul(s, NULL, 10);
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: see the comment at the top of bench/pam_driver.c\n");
        return 2;
    }
    g_service = argv[1], g_confdir = argv[2], g_label = argv[3];
    const char* mode = argv[4];
    g_fresh = strcmp(mode, "fresh") == 0;
    if ((g_fresh || strcmp(mode, "seq") == 0) && argc == 9)
        return run_seq(arg_u(argv[5]), arg_u(argv[6]), arg_u(argv[7]), argv[8]);
    if (strcmp(mode, "par") == 0 && argc == 9) {
        struct par_arg a = {arg_u(argv[5]), arg_u(argv[6]), arg_u(argv[7]), arg_u(argv[8])};
        return run_children(a.procs, par_job, &a, "parallel", a.count);
    }
    if (strcmp(mode, "same") == 0 && argc == 7) {
        struct same_arg a = {arg_u(argv[5]), 0};
        /* All processes must present the same code: don't start within 5 s of a step change. */
        while ((time(NULL) % BENCH_PERIOD) > BENCH_PERIOD - 5) sleep(1);
        a.step = bench_step_now();
        return run_children(arg_u(argv[6]), same_job, &a, "same_user", arg_u(argv[6]));
    }
    fprintf(stderr, "bad arguments\n");
    return 2;
}
