// SPDX-License-Identifier: BSD-2-Clause
// What every setuid tool does first, before it prints or parses anything: it
// starts with whatever its caller left it (closed standard descriptors, a
// hostile environment, a permissive umask).
#pragma once

namespace chorus_tools {

// Reopens closed fds 0-2 on /dev/null (exits with fail_status if it can't),
// forbids core dumps and ptrace, lifts the resource limits a caller lowered
// (file size, CPU, open files, memory), replaces the environment with a fixed PATH
// (keeping TERM only when it looks like a terminal name), sets umask 077,
// ignores SIGPIPE and SIGXFSZ and puts SIGCHLD back to its default. No setlocale(): LANG/LC_* are ignored.
void harden_setuid_process(int fail_status);

// Whether term looks like a terminal name: [A-Za-z0-9._+-]{1,64}.
bool term_name_ok(const char* term);

}  // namespace chorus_tools
