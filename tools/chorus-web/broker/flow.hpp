// SPDX-License-Identifier: BSD-2-Clause
// One browser session's privileged half: a process forked by the broker
// for one sign-in or one reset, holding that session's library context and
// flow state, answering one typed request per operation on its socket until
// the page goes quiet for web.session_idle seconds.
#pragma once

#include <string>

namespace chorus_web {

// Runs the flow on fd and returns the process's exit status.
int run_flow(int fd, const char* config_path, int idle_seconds);

// Runs the push worker (broker/push_worker.cpp) on fd.
int run_push_worker(int fd, const char* config_path);

}  // namespace chorus_web
