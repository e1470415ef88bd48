/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test helper: runs a program with argc == 0 (argv = { NULL }), the way the
 * pkexec attack (CVE-2021-4034) did, keeping the environment.
 *
 *   exec_empty_argv PROGRAM
 */
#include <stdio.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: exec_empty_argv PROGRAM\n");
        return 2;
    }
    char* empty[] = {NULL};
    execve(argv[1], empty, environ);
    perror("execve");
    return 127;
}
