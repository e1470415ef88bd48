/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <crypt.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chorus/chorus.h>

#ifndef PT_PAM_MODULE
#error "PT_PAM_MODULE (path of pam_chorus.so) must be defined"
#endif
#ifndef PT_PAM_WRAPPER_LIB
#define PT_PAM_WRAPPER_LIB "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"
#endif
#ifndef PT_PAM_WRAPPER_MODULES
#define PT_PAM_WRAPPER_MODULES "/usr/lib/x86_64-linux-gnu/pam_wrapper"
#endif

static char dir[256];
static char config_path[300];
static int serial;
static const char* run_id;

const char* pt_dir(void) {
    return dir;
}
const char* pt_config_path(void) {
    return config_path;
}

const char* pt_path(const char* name) {
    static char bufs[4][512];
    static int next;
    char* b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
    return b;
}

/* ---- files and processes --------------------------------------------- */

static void write_file(const char* path, const char* text, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        fprintf(stderr, "open %s: %s\n", path, strerror(errno));
        abort();
    }
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        abort();
    }
    close(fd);
}

static void append_line(const char* path, const char* line) {
    FILE* f = fopen(path, "ae");
    if (f == NULL) abort();
    fprintf(f, "%s\n", line);
    fclose(f);
}

int pt_run(const char* const argv[], const char* stdin_text) {
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        /* Clean environment: no LD_PRELOAD, no PAM_WRAPPER for useradd and friends. */
        char* const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        int devnull = open("/dev/null", O_WRONLY);
        dup2(in[0], 0);
        if (devnull >= 0) dup2(devnull, 1);
        execve(argv[0], (char* const*)argv, envp);
        _exit(127);
    }
    close(in[0]);
    if (stdin_text != NULL && write(in[1], stdin_text, strlen(stdin_text)) < 0) perror("write");
    close(in[1]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void rm_rf(const char* path) {
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the parent: private directory, re-run, cleanup ------------------- */

static char* substitute(const char* text) {
    struct {
        const char *key, *value;
    } subst[] = {{"@MODULE@", PT_PAM_MODULE},
                 {"@CONFIG@", config_path},
                 {"@DIR@", dir},
                 {"@WRAPMODS@", PT_PAM_WRAPPER_MODULES}};
    size_t cap = strlen(text) * 2 + 4096, len = 0;
    char* out = malloc(cap);
    for (const char* p = text; *p;) {
        int done = 0;
        for (size_t i = 0; i < sizeof subst / sizeof subst[0] && !done; i++) {
            size_t kl = strlen(subst[i].key);
            if (strncmp(p, subst[i].key, kl) == 0) {
                size_t vl = strlen(subst[i].value);
                if (len + vl + 1 >= cap) out = realloc(out, cap = cap * 2 + vl);
                memcpy(out + len, subst[i].value, vl);
                len += vl;
                p += kl;
                done = 1;
            }
        }
        if (!done) {
            if (len + 2 >= cap) out = realloc(out, cap *= 2);
            out[len++] = *p++;
        }
    }
    out[len] = '\0';
    return out;
}

static void cleanup_created(void) {
    FILE* f = fopen(pt_path("created"), "re");
    if (f == NULL) return;
    char line[256];
    /* Users first (a group can't go while it is someone's primary group). */
    for (int pass = 0; pass < 2; pass++) {
        rewind(f);
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = '\0';
            if (pass == 0 && strncmp(line, "user ", 5) == 0) {
                const char* argv[] = {"/usr/sbin/userdel", "-f", line + 5, NULL};
                pt_run(argv, NULL);
            } else if (pass == 1 && strncmp(line, "group ", 6) == 0) {
                const char* argv[] = {"/usr/sbin/groupdel", line + 6, NULL};
                pt_run(argv, NULL);
            }
        }
    }
    fclose(f);
}

int pt_main(int argc, char** argv, const char* group, const struct pt_service* services,
            const struct CMUnitTest* tests, size_t count) {
    (void)argc;
    const char* child_dir = getenv("PT_DIR");
    if (child_dir != NULL) {
        const char* lock_fd = getenv("PT_WRAP_LOCK_FD");
        if (lock_fd != NULL) { /* pam_wrapper has set up: let the next process */
            pt_wrapper_unlock(atoi(lock_fd));
            unsetenv("PT_WRAP_LOCK_FD");
        }
        snprintf(dir, sizeof dir, "%s", child_dir);
        snprintf(config_path, sizeof config_path, "%s/cfg/chorus.yaml", dir);
        run_id = getenv("PT_ID");
        return _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    }

    if (geteuid() != 0) {
        fprintf(stderr, "%s: needs root (creates test accounts); skipped\n", group);
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/chorus-pt-XXXXXX");
    if (mkdtemp(dir) == NULL || chmod(dir, 0700) != 0) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(config_path, sizeof config_path, "%s/cfg/chorus.yaml", dir);
    if (mkdir(pt_path("pam.d"), 0755) != 0 || mkdir(pt_path("cfg"), 0700) != 0) {
        perror("mkdir");
        return 1;
    }
    for (const struct pt_service* s = services; s && s->name; s++) {
        char* text = substitute(s->text);
        char path[600];
        snprintf(path, sizeof path, "%s/pam.d/%s", dir, s->name);
        write_file(path, text, 0644);
        free(text);
    }

    char id[32];
    snprintf(id, sizeof id, "%d", (int)getpid());
    /* Held until the test process's main() runs: pam_wrapper sets up in its
     * constructor, and must not do so alongside another process (pt_wrap.c). */
    int lock = pt_wrapper_lock();
    pid_t pid = fork();
    if (pid < 0) {
        pt_wrapper_unlock(lock);
        return 1;
    }
    if (pid == 0) {
        const char* lib = getenv("PT_PAM_WRAPPER_LIB");
        if (lock >= 0 && fcntl(lock, F_SETFD, 0) == 0) { /* kept across exec */
            char fd[16];
            snprintf(fd, sizeof fd, "%d", lock);
            setenv("PT_WRAP_LOCK_FD", fd, 1);
        }
        setenv("PT_DIR", dir, 1);
        setenv("PT_ID", id, 1);
        setenv("PAM_WRAPPER", "1", 1);
        setenv("PAM_WRAPPER_SERVICE_DIR", pt_path("pam.d"), 1);
        setenv("LD_PRELOAD", lib && *lib ? lib : PT_PAM_WRAPPER_LIB, 1);
        /* argv[0] rather than /proc/self/exe: under valgrind the latter is
         * valgrind itself. ctest starts us by absolute path. */
        execv(strchr(argv[0], '/') != NULL ? argv[0] : "/proc/self/exe", argv);
        perror("execv");
        _exit(127);
    }
    pt_wrapper_unlock(lock); /* the child's copy holds it on */
    int status = 0;
    waitpid(pid, &status, 0);
    cleanup_created();
    if (getenv("PT_KEEP") == NULL)
        rm_rf(dir);
    else
        fprintf(stderr, "kept %s\n", dir);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "%s: test process died of signal %d\n", group, WTERMSIG(status));
        return 1;
    }
    return WEXITSTATUS(status);
}

int pt_setup(void** state) {
    (void)state;
    rm_rf(pt_path("state"));
    unlink(pt_path("message"));
    return 0;
}

/* ---- config ------------------------------------------------------------ */

void pt_config(const char* fmt, ...) {
    char body[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    char store[4200] = "";
    char text[sizeof store + sizeof body + 128];
    if (strncmp(body, "store:", 6) != 0) /* a body with its own store section names the path itself */
        snprintf(store, sizeof store, "store:\n  path: %s/state\n", dir);
    snprintf(text, sizeof text, "%s%s%s", store, body,
             strstr(body, "password:") ? ""
                                       : "password:\n  history:\n    argon2:\n      t_cost: 1\n"
                                         "      m_cost_kib: 8192\n");
    write_file(config_path, text, 0600);
}

/* ---- accounts ------------------------------------------------------------ */

/* Names live as long as the test program (they are removed with the accounts
 * at the end), so they come from a static pool rather than the heap. */
static char* name_slot(void) {
    static char pool[256][64];
    static size_t used;
    if (used == sizeof pool / sizeof pool[0]) {
        fprintf(stderr, "pt_fixture: too many test accounts\n");
        fail();
    }
    return pool[used++];
}

const char* pt_user_add(const char* groups) {
    char* name = name_slot();
    snprintf(name, 64, "chorus-pt-%s-%d", run_id ? run_id : "x", ++serial);
    char line[128];
    snprintf(line, sizeof line, "user %s", name);
    append_line(pt_path("created"), line);
    const char* argv[12] = {"/usr/sbin/useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-d", "/nonexistent"};
    size_t n = 7;
    if (groups != NULL) {
        argv[n++] = "-G";
        argv[n++] = groups;
    }
    argv[n++] = name;
    argv[n] = NULL;
    int rc = pt_run(argv, NULL);
    if (rc != 0) {
        fprintf(stderr, "useradd %s failed (%d)\n", name, rc);
        fail();
    }
    return name;
}

const char* pt_group_add(void) {
    char* name = name_slot();
    snprintf(name, 64, "chorus-pg-%s-%d", run_id ? run_id : "x", ++serial);
    char line[128];
    snprintf(line, sizeof line, "group %s", name);
    append_line(pt_path("created"), line);
    const char* argv[] = {"/usr/sbin/groupadd", name, NULL};
    if (pt_run(argv, NULL) != 0) {
        fprintf(stderr, "groupadd %s failed\n", name);
        fail();
    }
    return name;
}

void pt_set_password(const char* user, const char* password) {
    const char* hash = crypt(password, "$6$chorusptsalt$");
    assert_non_null(hash);
    const char* argv[] = {"/usr/sbin/usermod", "-p", hash, user, NULL};
    assert_int_equal(pt_run(argv, NULL), 0);
}

const char* pt_shadow_hash(const char* user) {
    static char buf[512];
    struct spwd* sp = getspnam(user);
    snprintf(buf, sizeof buf, "%s", sp && sp->sp_pwdp ? sp->sp_pwdp : "");
    return buf;
}

/* ---- the library through its C API ------------------------------------ */

static void log_stderr(void* arg, int priority, const char* message) {
    (void)arg;
    if (priority <= 3) fprintf(stderr, "chorus: %s\n", message);
}

static chorus_ctx_t* ctx_open(void) {
    chorus_ctx_t* ctx = NULL;
    int rc = chorus_ctx_new(&ctx, config_path, log_stderr, NULL, 0);
    if (rc != CHORUS_OK) fprintf(stderr, "chorus_ctx_new: %s\n", chorus_strerror(rc));
    assert_int_equal(rc, CHORUS_OK);
    return ctx;
}

void pt_enroll(const char* user, const char* secret_base32) {
    chorus_ctx_t* ctx = ctx_open();
    chorus_totp_opts opts = {.secret_base32 = secret_base32};
    chorus_enrollment_t* e = NULL;
    assert_int_equal(chorus_enrollment_new(ctx, user, &opts, &e), CHORUS_OK);
    assert_int_equal(chorus_enrollment_commit(ctx, e, NULL), CHORUS_OK);
    chorus_enrollment_free(&e);
    chorus_ctx_free(&ctx);
}

void pt_add_app(const char* user, const char* secret_base32, const char* name) {
    chorus_ctx_t* ctx = ctx_open();
    chorus_totp_opts opts = {.secret_base32 = secret_base32};
    chorus_enrollment_t* e = NULL;
    assert_int_equal(chorus_enrollment_new(ctx, user, &opts, &e), CHORUS_OK);
    assert_int_equal(chorus_enrollment_add(ctx, e, "", name), CHORUS_OK);
    chorus_enrollment_free(&e);
    chorus_ctx_free(&ctx);
}

void pt_set_contact(const char* user, const char* which, const char* value, int proven) {
    chorus_ctx_t* ctx = ctx_open();
    assert_int_equal(chorus_user_store_contact(ctx, user, which, value, proven), CHORUS_OK);
    chorus_ctx_free(&ctx);
}

void pt_set_default(const char* user, const char* method) {
    chorus_ctx_t* ctx = ctx_open();
    assert_int_equal(chorus_user_set_default_method(ctx, user, method), CHORUS_OK);
    chorus_ctx_free(&ctx);
}

void pt_set_phone(const char* user, const char* phone) {
    pt_set_contact(user, "phone", phone, 1); /* proven: an admin vouches */
}

void pt_recovery_codes(const char* user, char*** codes, size_t* count) {
    chorus_ctx_t* ctx = ctx_open();
    assert_int_equal(chorus_recovery_codes_new(ctx, user, codes, count), CHORUS_OK);
    chorus_ctx_free(&ctx);
}

void pt_unlock(const char* user) {
    chorus_ctx_t* ctx = ctx_open();
    assert_int_equal(chorus_user_unlock(ctx, user), CHORUS_OK);
    chorus_ctx_free(&ctx);
}

static chorus_status_t* status_of(const char* user, int* rc) {
    chorus_ctx_t* ctx = ctx_open();
    chorus_status_t* st = NULL;
    *rc = chorus_status_get(ctx, user, &st);
    chorus_ctx_free(&ctx);
    return st;
}

int pt_has_state(const char* user) {
    int rc;
    chorus_status_t* st = status_of(user, &rc);
    chorus_status_free(&st);
    if (rc != CHORUS_OK && rc != CHORUS_ERR_NO_USER) fail_msg("chorus_status_get: %s", chorus_strerror(rc));
    return rc == CHORUS_OK;
}

int pt_failures(const char* user) {
    int rc;
    chorus_status_t* st = status_of(user, &rc);
    assert_int_equal(rc, CHORUS_OK);
    int n = chorus_status_failures(st);
    chorus_status_free(&st);
    return n;
}

int pt_state_files(void) {
    DIR* d = opendir(pt_path("state"));
    if (d == NULL) return 0;
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if ((l > 4 && strcmp(e->d_name + l - 4, ".rec") == 0) ||
            (l > 5 && strcmp(e->d_name + l - 5, ".live") == 0))
            n++;
    }
    closedir(d);
    return n;
}
