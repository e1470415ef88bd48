/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cost of a durable write on this disk, the floor any login with durable
 * replay protection pays:
 *   inplace  pwrite of one 512-byte slot + fdatasync (what Chorus does per login)
 *   rename   write temp + fsync + rename + fsync(directory) (the atomic replace)
 *   io_floor DIR ITERATIONS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

static void report(const char* label, double* v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; ++i) sum += v[i];
    printf("RESULT label=%s case=io n=%d ok=%d median_us=%.1f p99_us=%.1f mean_us=%.1f\n", label, n, n,
           v[n / 2], v[(n * 99) / 100], sum / n);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: io_floor DIR ITERATIONS\n");
        return 2;
    }
    int n = atoi(argv[2]);
    double* v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
    int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (n <= 0 || !v || dir < 0) {
        perror(argv[1]);
        return 1;
    }
    char slot[512], rec[600];
    memset(slot, 0x5a, sizeof slot);
    memset(rec, 'r', sizeof rec);

    /* Round-robin over many files, as logins over distinct users do: a loop on
     * one file would measure a flush with nothing new to flush. */
    enum { kFiles = 64 };
    int fds[kFiles];
    for (int f = 0; f < kFiles; ++f) {
        char name[32];
        snprintf(name, sizeof name, "io_floor.%d.live", f);
        fds[f] = openat(dir, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fds[f] < 0 || pwrite(fds[f], slot, sizeof slot, 0) != (ssize_t)sizeof slot ||
            pwrite(fds[f], slot, sizeof slot, 512) != (ssize_t)sizeof slot || fsync(fds[f]) != 0) {
            perror(name);
            return 1;
        }
    }
    for (int i = 0; i < n; ++i) {
        int fd = fds[i % kFiles];
        double t0 = now_us();
        if (pwrite(fd, slot, sizeof slot, ((i / kFiles) & 1) * 512) != (ssize_t)sizeof slot ||
            fdatasync(fd) != 0) {
            perror("pwrite/fdatasync");
            return 1;
        }
        v[i] = now_us() - t0;
    }
    for (int f = 0; f < kFiles; ++f) {
        char name[32];
        snprintf(name, sizeof name, "io_floor.%d.live", f);
        close(fds[f]);
        unlinkat(dir, name, 0);
    }
    report("io-inplace", v, n);

    for (int i = 0; i < n; ++i) {
        double t0 = now_us();
        int t = openat(dir, "io_floor.rec.tmp", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (t < 0 || write(t, rec, sizeof rec) != (ssize_t)sizeof rec || fsync(t) != 0 || close(t) != 0 ||
            renameat(dir, "io_floor.rec.tmp", dir, "io_floor.rec") != 0 || fsync(dir) != 0) {
            perror("atomic replace");
            return 1;
        }
        v[i] = now_us() - t0;
    }
    unlinkat(dir, "io_floor.rec", 0);
    report("io-rename", v, n);
    free(v);
    close(dir);
    return 0;
}
