/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The login's CPU cost, module against module (issue 14): one login per
 * service in turn for each user, so that every module sees the same machine
 * state (on a shared VM the speed drifts between phases), each timed by the
 * CPU this process used (CLOCK_PROCESS_CPUTIME_ID: user + system, no wait).
 *
 *   login_cpu CONFDIR FIRST COUNT SERVICE...
 *
 * Users FIRST..FIRST+COUNT-1 log in with their current code. Output: one
 * "RESULT label=cpu@SERVICE case=correct ..." line per service, as
 * pam_driver writes (median_us is CPU time here).
 */
#define _GNU_SOURCE
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_otp.h"

enum { kMaxServices = 8 };

static char g_code[16];

static int conv(int n, const struct pam_message** msg, struct pam_response** resp, void* data) {
    (void)msg;
    (void)data;
    struct pam_response* r = calloc((size_t)n, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) r[i].resp = strdup(g_code);
    *resp = r;
    return PAM_SUCCESS;
}

static double cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    if (argc < 5 || argc - 4 > kMaxServices) {
        fprintf(stderr, "usage: login_cpu CONFDIR FIRST COUNT SERVICE...\n");
        return 2;
    }
    const char* confdir = argv[1];
    const unsigned first = (unsigned)strtoul(argv[2], NULL, 10);
    const unsigned count = (unsigned)strtoul(argv[3], NULL, 10);
    const int ns = argc - 4;
    double* cpu[kMaxServices];
    size_t ok[kMaxServices] = {0};
    for (int k = 0; k < ns; ++k)
        if ((cpu[k] = calloc(count, sizeof(double))) == NULL) return 1;
    struct pam_conv c = {conv, NULL};
    for (unsigned i = 0; i < count; ++i) {
        char user[24];
        uint8_t key[BENCH_KEY_BYTES];
        bench_user_name(first + i, user, sizeof user);
        bench_user_key(first + i, key);
        for (int k = 0; k < ns; ++k) {
            snprintf(g_code, sizeof g_code, "%06u", bench_totp(key, bench_step_now()));
            pam_handle_t* h = NULL;
            const double t0 = cpu_us();
            int rc = pam_start_confdir(argv[4 + k], user, &c, confdir, &h);
            if (rc == PAM_SUCCESS) {
                rc = pam_authenticate(h, PAM_SILENT);
                pam_end(h, rc);
            }
            cpu[k][i] = cpu_us() - t0;
            ok[k] += rc == PAM_SUCCESS;
        }
    }
    for (int k = 0; k < ns; ++k) {
        qsort(cpu[k], count, sizeof(double), cmp_double);
        double sum = 0;
        for (unsigned i = 0; i < count; ++i) sum += cpu[k][i];
        printf(
            "RESULT label=cpu@%s case=correct n=%u ok=%zu median_us=%.1f p99_us=%.1f mean_us=%.1f "
            "total_s=%.3f "
            "rss_kb=0 curl=0 pq=0\n",
            argv[4 + k], count, ok[k], cpu[k][count / 2], cpu[k][(count * 99) / 100], sum / count, sum / 1e6);
    }
    return 0;
}
