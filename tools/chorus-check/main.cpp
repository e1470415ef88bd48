// SPDX-License-Identifier: BSD-2-Clause
// chorus-check: the setuid verifier for unprivileged PAM callers (screen
// lockers), in the unix_chkpwd model. It acts only for its real uid, trusts
// no argument or environment for identity, and answers one request read from
// stdin. The protocol, both ends, is the library's (chorus_check_serve and
// chorus-check(8)); this file only prepares the process and names the user.
// Only root may name another configuration (--config).
#include <pwd.h>
#include <signal.h>
#include <syslog.h>
#include <unistd.h>

#include <chorus/chorus.h>

#include <cstring>
#include <string>

#include "common/harden.hpp"

namespace {

constexpr int kFailure = 10;  // the protocol's "deny", whatever the request

void to_syslog(void*, int priority, const char* message) {
    syslog(priority, "%s", message);
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything else: sane fds 0-2, no caller environment, umask 077,
    // no core dumps, and the caller's resource limits lifted.
    chorus_tools::harden_setuid_process(kFailure);
    // A request that never comes must not keep a setuid process (and perhaps
    // a database connection) waiting: the caller gives up after 30 s anyway.
    (void)signal(SIGALRM, SIG_DFL);
    (void)alarm(60);
    openlog("chorus-check", LOG_PID, LOG_AUTHPRIV);
    const char* config = nullptr;
    if (argc == 3 && std::strcmp(argv[1], "--config") == 0) {
        if (getuid() != 0) {
            syslog(LOG_WARNING, "refused --config from uid %u", static_cast<unsigned>(getuid()));
            return kFailure;
        }
        config = argv[2];
    } else if (argc > 1) {
        return kFailure;
    }
    // The identity is the real uid, never an argument.
    const struct passwd* pw = getpwuid(getuid());
    if (pw == nullptr || pw->pw_name == nullptr || pw->pw_name[0] == '\0') return kFailure;
    const std::string user = pw->pw_name;

    chorus_ctx_t* ctx = nullptr;
    if (chorus_ctx_new(&ctx, config, to_syslog, nullptr, 0) != CHORUS_OK) return kFailure;
    int status = kFailure;
    if (chorus_check_serve(ctx, user.c_str(), STDIN_FILENO, STDOUT_FILENO, &status) != CHORUS_OK) {
        syslog(LOG_WARNING, "request of uid %u not answered: %s", static_cast<unsigned>(getuid()),
               chorus_ctx_last_error(ctx));
        status = kFailure;
    }
    chorus_ctx_free(&ctx);
    return status;
}
