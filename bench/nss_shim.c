/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Account lookups for the synthetic users bench000000..bench999999 without
 * creating 100,000 real accounts: these definitions interpose on glibc's
 * (the programs are linked with -rdynamic, so the PAM modules and
 * libchorusauth resolve to them) and defer to the real functions, found with
 * dlsym(RTLD_NEXT), for every other name. Every module under test runs in
 * the same process with the same shim, so all of them pay the same.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "bench_otp.h"

#define SHIM_VISIBLE __attribute__((visibility("default")))

static const char kGroup[] = "chorusbench";

/* Copies s into the caller's buffer; NULL when it does not fit. */
static char* put(char** cur, size_t* left, const char* s) {
    size_t n = strlen(s) + 1;
    if (n > *left) return NULL;
    char* out = memcpy(*cur, s, n);
    *cur += n;
    *left -= n;
    return out;
}

static int fill_pw(unsigned index, struct passwd* pw, char* buf, size_t len) {
    char name[16];
    bench_user_name(index, name, sizeof name);
    char* cur = buf;
    size_t left = len;
    pw->pw_name = put(&cur, &left, name);
    pw->pw_passwd = put(&cur, &left, "x");
    pw->pw_gecos = put(&cur, &left, "Bench User");
    pw->pw_dir = put(&cur, &left, "/nonexistent");
    pw->pw_shell = put(&cur, &left, "/usr/sbin/nologin");
    if (!pw->pw_name || !pw->pw_passwd || !pw->pw_gecos || !pw->pw_dir || !pw->pw_shell) return ERANGE;
    pw->pw_uid = BENCH_UID_BASE + index;
    pw->pw_gid = BENCH_GID;
    return 0;
}

static int fill_gr(struct group* gr, char* buf, size_t len) {
    char* cur = buf;
    size_t left = len;
    gr->gr_name = put(&cur, &left, kGroup);
    gr->gr_passwd = put(&cur, &left, "x");
    if (!gr->gr_name || !gr->gr_passwd || left < sizeof(char*)) return ERANGE;
    /* No listed members: membership comes from the primary gid. */
    uintptr_t align = ((uintptr_t)cur + sizeof(char*) - 1) & ~(uintptr_t)(sizeof(char*) - 1);
    if (align + sizeof(char*) > (uintptr_t)buf + len) return ERANGE;
    gr->gr_mem = (char**)align;
    gr->gr_mem[0] = NULL;
    gr->gr_gid = BENCH_GID;
    return 0;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

SHIM_VISIBLE int getpwnam_r(const char* name, struct passwd* pw, char* buf, size_t len, struct passwd** res) {
    long i = bench_user_index(name);
    if (i < 0)
        return REAL("getpwnam_r", int (*)(const char*, struct passwd*, char*, size_t, struct passwd**))(
            name, pw, buf, len, res);
    int rc = fill_pw((unsigned)i, pw, buf, len);
    *res = rc == 0 ? pw : NULL;
    return rc;
}

SHIM_VISIBLE int getpwuid_r(uid_t uid, struct passwd* pw, char* buf, size_t len, struct passwd** res) {
    if (uid < BENCH_UID_BASE || uid >= BENCH_UID_BASE + BENCH_MAX_USERS)
        return REAL("getpwuid_r", int (*)(uid_t, struct passwd*, char*, size_t, struct passwd**))(
            uid, pw, buf, len, res);
    int rc = fill_pw(uid - BENCH_UID_BASE, pw, buf, len);
    *res = rc == 0 ? pw : NULL;
    return rc;
}

static struct passwd static_pw;
static char static_pw_buf[256];

SHIM_VISIBLE struct passwd* getpwnam(const char* name) {
    long i = bench_user_index(name);
    if (i < 0) return REAL("getpwnam", struct passwd * (*)(const char*))(name);
    return fill_pw((unsigned)i, &static_pw, static_pw_buf, sizeof static_pw_buf) == 0 ? &static_pw : NULL;
}

SHIM_VISIBLE struct passwd* getpwuid(uid_t uid) {
    if (uid < BENCH_UID_BASE || uid >= BENCH_UID_BASE + BENCH_MAX_USERS)
        return REAL("getpwuid", struct passwd * (*)(uid_t))(uid);
    return fill_pw(uid - BENCH_UID_BASE, &static_pw, static_pw_buf, sizeof static_pw_buf) == 0 ? &static_pw
                                                                                               : NULL;
}

SHIM_VISIBLE int getgrouplist(const char* user, gid_t group, gid_t* groups, int* ngroups) {
    if (bench_user_index(user) < 0)
        return REAL("getgrouplist", int (*)(const char*, gid_t, gid_t*, int*))(user, group, groups, ngroups);
    if (*ngroups < 1) {
        *ngroups = 1;
        return -1;
    }
    groups[0] = group;
    *ngroups = 1;
    return 1;
}

SHIM_VISIBLE int getgrgid_r(gid_t gid, struct group* gr, char* buf, size_t len, struct group** res) {
    if (gid != BENCH_GID)
        return REAL("getgrgid_r", int (*)(gid_t, struct group*, char*, size_t, struct group**))(gid, gr, buf,
                                                                                                len, res);
    int rc = fill_gr(gr, buf, len);
    *res = rc == 0 ? gr : NULL;
    return rc;
}
