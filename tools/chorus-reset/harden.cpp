// SPDX-License-Identifier: BSD-2-Clause
// The first things chorus-reset does: a setuid program starts with whatever
// its caller left it (closed standard descriptors, a hostile environment, a
// permissive umask, argc == 0), and it may leave the terminal in raw mode if
// a signal arrives at the wrong moment unless the settings are restored.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "chorus-reset/reset.hpp"

namespace reset_tool {
namespace {

struct termios g_saved {};
volatile sig_atomic_t g_have_saved = 0;

// Opens /dev/null on each of 0, 1 and 2 that is closed, so that nothing we
// open later lands on a standard descriptor. If even that fails, stop.
void ensure_stdio() {
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) continue;
        const int n = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (n != fd) ::_exit(kExitFail);
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

// Async-signal-safe: tcsetattr, write and _exit only.
void on_signal(int) {
    if (g_have_saved != 0) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
    static const char msg[] = "\nReset cancelled.\n";
    (void)!::write(STDOUT_FILENO, msg, sizeof msg - 1);
    ::_exit(kExitFail);
}

}  // namespace

void harden_process() {
    ensure_stdio();
    // Memory will hold codes and the new password: no core dumps, no ptrace
    // by the invoker (setuid implies this; be explicit).
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit no_core {
        0, 0
    };
    (void)::setrlimit(RLIMIT_CORE, &no_core);
    // Nothing of the caller's environment reaches the library, PAM or the
    // delivery helper. No setlocale(): LANG/LC_* are ignored, so PAM's
    // prompts and messages are the untranslated ones.
    std::string term;
    if (const char* t = ::getenv("TERM"); term_ok(t)) term = t;
    ::clearenv();
    (void)::setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
    if (!term.empty()) (void)::setenv("TERM", term.c_str(), 1);
    ::umask(077);
    (void)::signal(SIGPIPE, SIG_IGN);
}

bool become_root() {
    if (::setgroups(0, nullptr) != 0) return false;
    if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0) return false;
    uid_t r = 1, e = 1, s = 1;
    return ::getresuid(&r, &e, &s) == 0 && r == 0 && e == 0 && s == 0;
}

void guard_terminal() {
    if (::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &g_saved) == 0) g_have_saved = 1;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) (void)::sigaction(sig, &sa, nullptr);
}

void restore_terminal() {
    if (g_have_saved != 0) (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
}

Io choose_io(bool batch, bool ascii) {
    Io io;
    io.batch = batch;
    const char* t = ::getenv("TERM");
    const std::string_view term = t != nullptr ? t : "";
    // The Linux console and old terminals draw no ✔/✘; "dumb" cannot move
    // the cursor either, so the checklist is printed again instead.
    const bool plain = term.empty() || term == "dumb" || term == "linux" || term.substr(0, 4) == "vt10" ||
                       term.substr(0, 4) == "vt22";
    io.ascii = batch || ascii || plain;
    io.cursor = !batch && !term.empty() && term != "dumb";
    return io;
}

}  // namespace reset_tool
