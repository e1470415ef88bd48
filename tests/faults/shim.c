/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An LD_PRELOAD fault shim for the tests/faults/ programs. It wraps the calls
 * the file store makes and fails them, but only when the environment says so
 * and only for files inside one directory:
 *
 *   CHORUS_FAULT_DIR     absolute path of the state directory (required)
 *   CHORUS_FAULT_CALLS   comma list: write,pwrite,fsync,fdatasync,rename,
 *                        renameat,openat,close,ftruncate (required)
 *   CHORUS_FAULT_ERRNO   errno to fail with, e.g. 28 (ENOSPC), 5 (EIO)
 *   CHORUS_FAULT_SUFFIX  optional: only paths ending with this (".tmp", ".live",
 *                        "/state" for the directory itself)
 *   CHORUS_FAULT_NTH     optional: fail only the Nth matching call (1-based);
 *                        unset or 0: every matching call
 *   CHORUS_FAULT_REPORT  optional: a file created (O_APPEND) with one line per
 *                        injected fault, so a test knows the fault fired
 *
 * fd paths are resolved through /proc/self/fd. Nothing here allocates.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define SHIM_API __attribute__((visibility("default")))

static long matched_calls; /* matching calls seen so far in this process */

static int call_listed(const char* call) {
    const char* list = getenv("CHORUS_FAULT_CALLS");
    if (list == NULL) return 0;
    size_t n = strlen(call);
    for (const char* p = list; *p;) {
        const char* end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, call, n) == 0) return 1;
        if (end == NULL) break;
        p = end + 1;
    }
    return 0;
}

static int path_matches(const char* path) {
    const char* dir = getenv("CHORUS_FAULT_DIR");
    if (dir == NULL || *dir == '\0') return 0;
    size_t dl = strlen(dir);
    if (strncmp(path, dir, dl) != 0 || (path[dl] != '\0' && path[dl] != '/')) return 0;
    const char* suffix = getenv("CHORUS_FAULT_SUFFIX");
    if (suffix != NULL && *suffix != '\0') {
        size_t pl = strlen(path), sl = strlen(suffix);
        if (pl < sl || strcmp(path + pl - sl, suffix) != 0) return 0;
    }
    return 1;
}

static int fd_path(int fd, char* out, size_t cap) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, cap - 1);
    if (n < 0) return -1;
    out[n] = '\0';
    return 0;
}

static int at_path(int dirfd, const char* name, char* out, size_t cap) {
    if (name[0] == '/') {
        snprintf(out, cap, "%s", name);
        return 0;
    }
    char base[4096];
    if (dirfd == AT_FDCWD) {
        if (getcwd(base, sizeof base) == NULL) return -1;
    } else if (fd_path(dirfd, base, sizeof base) != 0) {
        return -1;
    }
    snprintf(out, cap, "%s/%s", base, name);
    return 0;
}

/* Whether this call (on path) is to fail now; counts matching calls. */
static int should_fail(const char* call, const char* path) {
    if (!call_listed(call) || !path_matches(path)) return 0;
    long n = ++matched_calls;
    const char* nth = getenv("CHORUS_FAULT_NTH");
    long want = nth ? strtol(nth, NULL, 10) : 0;
    if (want > 0 && n != want) return 0;
    const char* report = getenv("CHORUS_FAULT_REPORT");
    if (report != NULL) {
        int fd = (int)syscall(SYS_openat, AT_FDCWD, report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            char line[4200];
            int len = snprintf(line, sizeof line, "%s %ld %s\n", call, n, path);
            if (len > 0) (void)!syscall(SYS_write, fd, line, (size_t)len);
            syscall(SYS_close, fd);
        }
    }
    return 1;
}

static int fault_errno(void) {
    const char* e = getenv("CHORUS_FAULT_ERRNO");
    int v = e ? atoi(e) : EIO;
    return v > 0 ? v : EIO;
}

static int fd_fails(const char* call, int fd) {
    char path[4096];
    if (!call_listed(call) || fd_path(fd, path, sizeof path) != 0) return 0;
    return should_fail(call, path);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

SHIM_API ssize_t write(int fd, const void* buf, size_t n) {
    if (fd_fails("write", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(write)(fd, buf, n);
}

SHIM_API ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
    if (fd_fails("pwrite", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(pwrite)(fd, buf, n, off);
}

SHIM_API ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
    if (fd_fails("pwrite", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(pwrite64)(fd, buf, n, off);
}

SHIM_API int fsync(int fd) {
    if (fd_fails("fsync", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(fsync)(fd);
}

SHIM_API int fdatasync(int fd) {
    if (fd_fails("fdatasync", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(fdatasync)(fd);
}

SHIM_API int ftruncate(int fd, off_t len) {
    if (fd_fails("ftruncate", fd)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(ftruncate)(fd, len);
}

SHIM_API int close(int fd) {
    if (fd_fails("close", fd)) {
        /* Like a deferred NFS error: the fd is gone all the same. */
        REAL(close)(fd);
        errno = fault_errno();
        return -1;
    }
    return REAL(close)(fd);
}

SHIM_API int renameat(int olddirfd, const char* oldpath, int newdirfd, const char* newpath) {
    char path[8192];
    if (call_listed("renameat") && at_path(newdirfd, newpath, path, sizeof path) == 0 &&
        should_fail("renameat", path)) {
        errno = fault_errno();
        return -1;
    }
    (void)olddirfd;
    return REAL(renameat)(olddirfd, oldpath, newdirfd, newpath);
}

SHIM_API int rename(const char* oldpath, const char* newpath) {
    if (should_fail("rename", newpath)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(rename)(oldpath, newpath);
}

static int openat_fails(int dirfd, const char* name) {
    char path[8192];
    return call_listed("openat") && at_path(dirfd, name, path, sizeof path) == 0 &&
           should_fail("openat", path);
}

SHIM_API int openat(int dirfd, const char* name, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (openat_fails(dirfd, name)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(openat)(dirfd, name, flags, mode);
}

SHIM_API int openat64(int dirfd, const char* name, int flags, ...) {
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (openat_fails(dirfd, name)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(openat64)(dirfd, name, flags, mode);
}

SHIM_API int __openat_2(int dirfd, const char* name, int flags);
SHIM_API int __openat_2(int dirfd, const char* name, int flags) {
    if (openat_fails(dirfd, name)) {
        errno = fault_errno();
        return -1;
    }
    return REAL(__openat_2)(dirfd, name, flags);
}
