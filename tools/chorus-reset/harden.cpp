// SPDX-License-Identifier: BSD-2-Clause
// The first things chorus-reset does: a setuid program starts with whatever
// its caller left it (closed standard descriptors, a hostile environment, a
// permissive umask, argc == 0), and it may leave the terminal in raw mode if
// a signal arrives at the wrong moment unless the settings are restored.
#include <grp.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include "chorus-reset/reset.hpp"
#include "common/harden.hpp"

namespace reset_tool {
namespace {

struct termios g_saved {};
volatile sig_atomic_t g_have_saved = 0;

// Async-signal-safe: tcsetattr, write and _exit only.
void on_signal(int) {
    if (g_have_saved != 0) (void)::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
    static const char msg[] = "\nReset cancelled.\n";
    (void)!::write(STDOUT_FILENO, msg, sizeof msg - 1);
    ::_exit(kExitFail);
}

}  // namespace

void harden_process() {
    chorus_tools::harden_setuid_process(kExitFail);
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
