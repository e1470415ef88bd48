/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One lock, across every test program on the machine, around pam_wrapper's
 * set-up.
 *
 * pam_wrapper 1.1 gives each process that loads it (when it is loaded, and
 * again in a forked child at its first pam_start) a copy of the services in
 * /tmp/pam.X: it tries the letters X from one chosen by the pid, takes the
 * first whose lstat() says ENOENT, then calls mkdir() and ignores EEXIST,
 * and writes its pid into X/pid. Any letter it passes whose pid file names a
 * dead process is removed as stale. So two processes setting up at the same
 * moment can take the same letter: the later pid file replaces the first,
 * and once the later process has gone, the next one to set up removes the
 * directory the first is still using. Every pam_start of the first fails
 * from then on ("no default config other"), and a test program fails with
 * no hint of why. Under ctest -j, with test_pam_faults starting a
 * pam_wrapper child per injected fault, that happened now and then.
 *
 * Taken by pt_main before it starts the test process (the descriptor is
 * inherited across exec and closed once main runs, after pam_wrapper's
 * constructor) and by anything that makes pam_wrapper set up in a forked
 * child, set-ups never overlap, so a pid file always names its directory's
 * owner and only dead processes' directories are removed.
 */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Beside pam_wrapper's directories; the same path for every build tree. */
#define PT_WRAP_LOCK "/tmp/chorus-pt-pam_wrapper.lock"

int pt_wrapper_lock(void) {
    int fd = open(PT_WRAP_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "pt_fixture: %s: %s (pam_wrapper set-up not serialized)\n", PT_WRAP_LOCK,
                strerror(errno));
        return -1;
    }
    /* Held for a set-up only (milliseconds; seconds under valgrind): a
     * minute means something is stuck, and going on beats hanging. */
    const struct timespec pause = {0, 2 * 1000 * 1000};
    for (int i = 0; i < 30000; i++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
        if (errno != EWOULDBLOCK && errno != EINTR) break;
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "pt_fixture: %s: not locked (%s); going on without it\n", PT_WRAP_LOCK, strerror(errno));
    close(fd);
    return -1;
}

void pt_wrapper_unlock(int fd) {
    if (fd >= 0) close(fd); /* the last descriptor of the open file: the lock goes with it */
}
