/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "fault_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ref_totp.h"

#ifndef FAULT_DRIVER
#error "FAULT_DRIVER must be defined"
#endif
#ifndef FAULT_SHIM
#error "FAULT_SHIM must be defined"
#endif

static char dir[256];
static char config_path[300];

int fu_need_root(const char* prog) {
    if (geteuid() != 0) {
        fprintf(stderr, "%s: needs root (root-owned state and config); skipped\n", prog);
        return 77;
    }
    return 0;
}

const char* fu_dir(void) {
    return dir;
}
const char* fu_config(void) {
    return config_path;
}

const char* fu_path(const char* name) {
    static char bufs[6][512];
    static int next;
    char* b = bufs[next++ % 6];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

void fu_write(const char* path, const char* text, int mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, (mode_t)mode), 0);
    close(fd);
}

void fu_setup_dir(const char* extra_yaml) {
    snprintf(dir, sizeof dir, "/tmp/chorus-faults-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0700), 0);
    snprintf(config_path, sizeof config_path, "%s/cfg/chorus.yaml", dir);
    assert_int_equal(mkdir(fu_path("cfg"), 0700), 0);
    char text[4096];
    snprintf(text, sizeof text,
             "store:\n  path: %s/state\n"
             "lockout:\n  max_failures: 1000\n  lock_seconds: 900\n  failure_window: 604800\n"
             "password:\n  history:\n    argon2:\n      t_cost: 1\n      m_cost_kib: 8192\n%s",
             dir, extra_yaml ? extra_yaml : "");
    fu_write(config_path, text, 0600);
}

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void fu_teardown_dir(void) {
    if (dir[0] != '\0' && getenv("FAULT_KEEP") == NULL) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
}

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    if (priority <= 3 && getenv("FAULT_VERBOSE")) fprintf(stderr, "chorus: %s\n", message);
}

chorus_ctx_t* fu_ctx(void) {
    chorus_ctx_t* ctx = NULL;
    int rc = chorus_ctx_new(&ctx, config_path, log_stderr, NULL, 0);
    if (rc != CHORUS_OK) fail_msg("chorus_ctx_new: %s", chorus_strerror(rc));
    return ctx;
}

void fu_enroll(const char* user) {
    chorus_ctx_t* ctx = fu_ctx();
    chorus_totp_opts opts = {.secret_base32 = FU_SECRET};
    chorus_enrollment_t* e = NULL;
    assert_int_equal(chorus_enrollment_new(ctx, user, &opts, &e), CHORUS_OK);
    assert_int_equal(chorus_enrollment_commit(ctx, e, NULL), CHORUS_OK);
    chorus_enrollment_free(&e);
    chorus_ctx_free(&ctx);
}

int fu_status(const char* user, int* failures, int* recovery_left) {
    chorus_ctx_t* ctx = fu_ctx();
    chorus_status_t* st = NULL;
    int rc = chorus_status_get(ctx, user, &st);
    if (failures) *failures = rc == CHORUS_OK ? chorus_status_failures(st) : -1;
    if (recovery_left) *recovery_left = rc == CHORUS_OK ? chorus_status_recovery_left(st) : -1;
    chorus_status_free(&st);
    chorus_ctx_free(&ctx);
    return rc;
}

/* ---- TOTP ----------------------------------------------------------------- */

void fu_totp(time_t t, char out[16]) {
    /* FU_SECRET decoded: "Hello!\xde\xad\xbe\xef" twice. */
    static const unsigned char key[] = {'H', 'e', 'l', 'l', 'o', '!', 0xde, 0xad, 0xbe, 0xef,
                                        'H', 'e', 'l', 'l', 'o', '!', 0xde, 0xad, 0xbe, 0xef};
    fu_totp_key(key, sizeof key, t, out);
}

void fu_totp_key(const unsigned char* key, size_t key_len, time_t t, char out[16]) {
    assert_int_equal(ref_totp_key(key, key_len, t, out), 0);
}

void fu_wrong_code(char out[16]) {
    char near[5][16];
    time_t t = time(NULL);
    for (int i = 0; i < 5; i++) fu_totp(t + (i - 2) * 30, near[i]);
    for (unsigned v = 123456;; v = (v + 7919) % 1000000) {
        snprintf(out, 16, "%06u", v);
        int clash = 0;
        for (int i = 0; i < 5; i++) clash |= strcmp(out, near[i]) == 0;
        if (!clash) return;
    }
}

/* ---- files ------------------------------------------------------------------ */

char* fu_slurp(const char* path, size_t* len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return NULL;
    size_t cap = 4096, n = 0;
    char* buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static void append(char** s, size_t* len, size_t* cap, const char* data, size_t n) {
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *s = realloc(*s, *cap);
    }
    memcpy(*s + *len, data, n);
    *len += n;
    (*s)[*len] = '\0';
}

char* fu_snapshot(void) {
    return fu_snapshot_of(fu_path("state"));
}

char* fu_snapshot_of(const char* where) {
    struct dirent** names = NULL;
    int n = scandir(where, &names, NULL, alphasort);
    size_t len = 0, cap = 0;
    char* out = NULL;
    append(&out, &len, &cap, "", 0);
    for (int i = 0; i < n; i++) {
        char head[600];
        struct stat st;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", where, names[i]->d_name);
        if (lstat(path, &st) != 0) st.st_mode = 0, st.st_size = -1;
        snprintf(head, sizeof head, "[%s mode=%o size=%lld]\n", names[i]->d_name, (unsigned)st.st_mode,
                 (long long)st.st_size);
        append(&out, &len, &cap, head, strlen(head));
        if (S_ISREG(st.st_mode)) {
            size_t fl = 0;
            char* content = fu_slurp(path, &fl);
            if (content) {
                /* hex, so embedded NULs compare too */
                for (size_t j = 0; j < fl; j++) {
                    char hx[3];
                    snprintf(hx, sizeof hx, "%02x", (unsigned char)content[j]);
                    append(&out, &len, &cap, hx, 2);
                }
                append(&out, &len, &cap, "\n", 1);
                free(content);
            }
        }
        free(names[i]);
    }
    free(names);
    return out;
}

static int count_matching(const char* suffix, int empty_only) {
    DIR* d = opendir(fu_path("state"));
    if (d == NULL) return 0;
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        size_t l = strlen(e->d_name), sl = suffix ? strlen(suffix) : 0;
        if (suffix && (l < sl || strcmp(e->d_name + l - sl, suffix) != 0)) continue;
        if (empty_only) {
            struct stat st;
            char path[600];
            snprintf(path, sizeof path, "%s/state/%s", dir, e->d_name);
            /* lock files are empty by design; temp files are counted apart */
            if (lstat(path, &st) != 0 || st.st_size != 0 || strstr(e->d_name, ".lock") ||
                strstr(e->d_name, ".tmp"))
                continue;
        }
        n++;
    }
    closedir(d);
    return n;
}

int fu_count_suffix(const char* suffix) {
    return count_matching(suffix, 0);
}
int fu_count_empty(void) {
    return count_matching(NULL, 1);
}

/* ---- the driver ---------------------------------------------------------------- */

int fu_driver(const char* const* env, char* out, size_t cap, const char* op, const char* user,
              const char* arg) {
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        for (const char* const* e = env; e && *e; e++) putenv((char*)*e);
        setenv("LD_PRELOAD", FAULT_SHIM, 1);
        const char* argv[] = {FAULT_DRIVER, config_path, op, user, arg, NULL};
        execv(FAULT_DRIVER, (char* const*)argv);
        _exit(127);
    }
    close(p[1]);
    char sink[4096];
    size_t n = 0;
    for (;;) {
        char* dst = out && n + 1 < cap ? out + n : sink;
        size_t room = out && n + 1 < cap ? cap - n - 1 : sizeof sink;
        ssize_t r = read(p[0], dst, room);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (dst != sink) n += (size_t)r;
    }
    if (out && cap) out[n] = '\0';
    close(p[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status)) return 1000 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    int code = WEXITSTATUS(status);
    if (code == 0) return CHORUS_OK;
    if (code >= 100) return 100 - code;
    return 1000 + code;
}
