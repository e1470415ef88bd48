/* SPDX-License-Identifier: BSD-2-Clause */
/* Snapshots of a directory tree as sorted "type size path" lines. */
#ifndef CHORUS_TREE_SNAPSHOT_H
#define CHORUS_TREE_SNAPSHOT_H

#include <stddef.h>

struct snap {
    char** lines;
    size_t n, cap;
};

struct snap snap_take(const char* path);
void snap_free(struct snap* s);
/* Fails the current test when a and b differ, printing both. */
void snap_expect_same(const struct snap* a, const struct snap* b, const char* what);
/* Fails when a name next to the fixture's private directory exists (what a
 * "../x" escape would create). */
void expect_no_sibling(const char* base);

#endif
