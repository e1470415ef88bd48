/* SPDX-License-Identifier: BSD-2-Clause */
/* Snapshots of a directory tree, to prove an attack changed nothing. */
#define _GNU_SOURCE
#include "tree_snapshot.h"

#include "pt_fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- a snapshot of a directory tree: sorted "type size path" lines ---------- */

static void snap_add(struct snap* s, const char* line) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
        assert_non_null(s->lines);
    }
    s->lines[s->n++] = strdup(line);
}

/* Files whose contents legitimately change between snapshots: their size is left out. */
static int size_varies(const char* name) {
    return strcmp(name, ".timing") == 0;
}

static void snap_walk(struct snap* s, const char* path, const char* rel) {
    DIR* d = opendir(path);
    if (d == NULL) return;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char full[4096], r[4096], line[8300];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        snprintf(r, sizeof r, "%s/%s", rel, e->d_name);
        struct stat st;
        if (lstat(full, &st) != 0) continue;
        snprintf(line, sizeof line, "%o %lld %s", (unsigned)(st.st_mode & 0170777),
                 S_ISREG(st.st_mode) && !size_varies(e->d_name) ? (long long)st.st_size : 0LL, r);
        snap_add(s, line);
        if (S_ISDIR(st.st_mode)) snap_walk(s, full, r);
    }
    closedir(d);
}

static int cmp_str(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

struct snap snap_take(const char* path) {
    struct snap s = {0};
    snap_walk(&s, path, "");
    qsort(s.lines, s.n, sizeof *s.lines, cmp_str);
    return s;
}

void snap_free(struct snap* s) {
    for (size_t i = 0; i < s->n; i++) free(s->lines[i]);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

void snap_expect_same(const struct snap* a, const struct snap* b, const char* what) {
    int same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++) same = strcmp(a->lines[i], b->lines[i]) == 0;
    if (same) return;
    fprintf(stderr, "%s: the private directory changed\nbefore:\n", what);
    for (size_t i = 0; i < a->n; i++) fprintf(stderr, "  %s\n", a->lines[i]);
    fprintf(stderr, "after:\n");
    for (size_t i = 0; i < b->n; i++) fprintf(stderr, "  %s\n", b->lines[i]);
    fail();
}

/* The names next to the private directory a "../../x" escape could make. */
void expect_no_sibling(const char* base) {
    static const char* const suffixes[] = {"", ".rec", ".live", ".lock", ".tmp"};
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", pt_dir());
    char* slash = strrchr(parent, '/');
    assert_non_null(slash);
    *slash = '\0';
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s%s", parent, base, suffixes[i]);
        struct stat st;
        if (lstat(p, &st) == 0) {
            fprintf(stderr, "%s exists\n", p);
            fail();
        }
    }
}
