// SPDX-License-Identifier: BSD-2-Clause
// Running a helper program (chorus-check, chorus-deliver) from inside a
// caller we do not control: a screen locker, sshd, sudo, an event loop. The
// caller's signal dispositions, open descriptors and environment must not
// change the answer, so this is done the way pam_unix runs unix_chkpwd:
// SIGCHLD at its default while the child lives, a clean child (descriptors
// above 2 closed, stderr on /dev/null, empty environment, no blocked
// signals), a bounded wait, and an outcome that is a failure until waitpid()
// has really reported the child's exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace chorus {

struct HelperCall {
    std::string path;               // absolute path, run with execve (no PATH search)
    std::vector<std::string> args;  // argv[1..]; argv[0] is the path's last part
    std::string_view input;         // written to the child's stdin, then closed
    bool capture_output = false;    // child's stdout: read back (else /dev/null)
    std::size_t max_output = 256;   // more than this: the child is killed, an error
    std::int64_t timeout_ms = 30000;
};

// exit_status of a child that has not (yet) exited: never 0.
inline constexpr int kHelperNoExit = -1;

struct HelperExit {
    bool exited = false;              // true only when waitpid() reported a normal exit
    int exit_status = kHelperNoExit;  // meaningful only when exited
    int signal = 0;                   // the signal that ended the child, if one did
    std::string output;               // stdout, when captured
};

// The status a child uses when execve() failed (the shell's convention).
inline constexpr int kHelperExecFailed = 127;

// Runs the helper and waits for it. Errors (all of which must be read as a
// denial by the caller): pipe/fork failure, waitpid() failure (ECHILD when
// someone else reaped the child), the deadline passing (the child is killed
// and reaped), too much output. A child that exits or is killed is not an
// error: the caller reads HelperExit, whose defaults say "did not exit".
Result<HelperExit> run_helper(const HelperCall& call);

}  // namespace chorus
