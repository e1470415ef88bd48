// SPDX-License-Identifier: BSD-2-Clause
#include "common/harden.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace chorus_tools {
namespace {

// Opens /dev/null on each of 0, 1 and 2 that is closed, so that nothing
// opened later lands on a standard descriptor (and output meant for the
// terminal ends up in a file).
void ensure_stdio(int fail_status) {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) continue;
        const int n = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n != fd) ::_exit(fail_status);  // open returns the lowest free fd: fd itself
    }
}

// A caller can lower its limits before starting us so that a write of state
// fails half-way (RLIMIT_FSIZE), no file can be opened (RLIMIT_NOFILE) or we
// are killed mid-transaction (RLIMIT_CPU). The state stays consistent and
// the answer a denial either way, but a user should not be able to make
// their own checks fail: soft limits go back up to the hard ones, and hard
// limits too where we may (CAP_SYS_RESOURCE, which root normally has).
void lift_limits() {
    const struct {
        int resource;
        rlim_t want;
    } limits[] = {{RLIMIT_FSIZE, RLIM_INFINITY},
                  {RLIMIT_CPU, RLIM_INFINITY},
                  {RLIMIT_NOFILE, 1024},
                  {RLIMIT_AS, RLIM_INFINITY},
                  {RLIMIT_DATA, RLIM_INFINITY}};
    auto below = [](rlim_t have, rlim_t want) {
        return have != RLIM_INFINITY && (want == RLIM_INFINITY || have < want);
    };
    for (const auto& l : limits) {
        struct rlimit have {};
        if (::getrlimit(l.resource, &have) != 0 || !below(have.rlim_cur, l.want)) continue;
        struct rlimit raised = have;
        raised.rlim_cur = l.want;
        if (below(have.rlim_max, l.want)) raised.rlim_max = l.want;
        if (::setrlimit(l.resource, &raised) == 0) continue;
        raised = have;  // the hard limit stays: go as far as it allows
        raised.rlim_cur = have.rlim_max;
        (void)::setrlimit(l.resource, &raised);
    }
}

}  // namespace

bool term_name_ok(const char* term) {
    if (term == nullptr) return false;
    const size_t n = std::strlen(term);
    if (n == 0 || n > 64) return false;
    for (size_t i = 0; i < n; ++i) {
        const char c = term[i];
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '_' || c == '+' || c == '-';
        if (!ok) return false;
    }
    return true;
}

void harden_setuid_process(int fail_status) {
    ensure_stdio(fail_status);
    // Memory will hold keys, codes or passwords: no core dumps, no ptrace by
    // the invoker (setuid implies this; be explicit).
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit no_core {
        0, 0
    };
    (void)::setrlimit(RLIMIT_CORE, &no_core);
    lift_limits();
    // Nothing of the caller's environment reaches the library, PAM or a
    // delivery helper.
    std::string term;
    if (const char* t = ::getenv("TERM"); term_name_ok(t)) term = t;
    ::clearenv();
    (void)::setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
    if (!term.empty()) (void)::setenv("TERM", term.c_str(), 1);
    ::umask(077);
    // A closed pipe must give EPIPE, and a file-size limit EFBIG (both
    // reported, temp files removed), not kill us mid-write.
    (void)::signal(SIGPIPE, SIG_IGN);
    (void)::signal(SIGXFSZ, SIG_IGN);
    // SIG_IGN survives exec: a caller that ignores SIGCHLD would have our
    // children reaped by the kernel, and waitpid() fail for them.
    (void)::signal(SIGCHLD, SIG_DFL);
}

}  // namespace chorus_tools
