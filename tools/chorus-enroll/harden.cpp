// SPDX-License-Identifier: BSD-2-Clause
// The first things chorus-enroll does, before it prints or parses anything:
// a setuid program starts with whatever its caller left it (closed standard
// descriptors, a hostile environment, a permissive umask, argc == 0).
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "chorus-enroll/enroll.hpp"

namespace chorus_enroll {
namespace {

// Opens /dev/null on each of 0, 1 and 2 that is closed, so that nothing we
// open later lands on a standard descriptor (and output meant for the
// terminal ends up in a file). If even that fails, stop quietly.
void ensure_stdio() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) continue;
        const int n = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n != fd) ::_exit(kExitFail);  // open returns the lowest free fd: fd itself
    }
}

// TERM is kept only when it looks like a terminal name.
bool term_ok(const char* term) {
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

}  // namespace

void harden_process() {
    ensure_stdio();
    // No core dumps or ptrace by the caller: memory holds keys and the
    // configuration's secrets. (Setuid already implies this; be explicit.)
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit no_core {
        0, 0
    };
    (void)::setrlimit(RLIMIT_CORE, &no_core);
    // Environment: nothing of the caller's reaches the library, PAM or a
    // delivery helper. No setlocale(): LANG/LC_* are ignored.
    std::string term;
    if (const char* t = ::getenv("TERM"); term_ok(t)) term = t;
    ::clearenv();
    (void)::setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
    if (!term.empty()) (void)::setenv("TERM", term.c_str(), 1);
    ::umask(077);
    // A closed pipe must give EPIPE (reported), not kill us mid-write.
    (void)::signal(SIGPIPE, SIG_IGN);
}

bool capture_invoker(Invoker& inv) {
    inv.uid = ::getuid();
    inv.gid = ::getgid();
    const int n = ::getgroups(0, nullptr);
    if (n > 0) {
        inv.groups.resize(static_cast<size_t>(n));
        const int got = ::getgroups(n, inv.groups.data());
        inv.groups.resize(got > 0 ? static_cast<size_t>(got) : 0);
    }
    const struct passwd* pw = ::getpwuid(inv.uid);
    if (pw == nullptr || pw->pw_name == nullptr || pw->pw_name[0] == '\0') return false;
    inv.name = pw->pw_name;
    return true;
}

}  // namespace chorus_enroll
