// SPDX-License-Identifier: BSD-2-Clause
#include "chorus-enroll/terminal.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/pam_util.hpp"
#include "common/text.hpp"

namespace chorus_enroll {
namespace {

constexpr size_t kMaxAnswer = 1024;

// The terminal settings to restore, shared with the signal handler.
struct termios g_saved;
volatile sig_atomic_t g_echo_off = 0;

void restore_and_reraise(int sig) {
    if (g_echo_off != 0) {
        (void)::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
        g_echo_off = 0;
        (void)!::write(STDERR_FILENO, "\n", 1);
    }
    // SA_RESETHAND put the default action back; the signal is blocked while
    // we run, so it takes effect as soon as the handler returns.
    (void)::raise(sig);
}

// Turns echo off on stdin for its lifetime when stdin is a terminal.
class EchoOff {
public:
    EchoOff() {
        if (::isatty(STDIN_FILENO) != 1 || ::tcgetattr(STDIN_FILENO, &g_saved) != 0) return;
        struct termios t = g_saved;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
        g_echo_off = 1;
        if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0) g_echo_off = 0;
    }
    ~EchoOff() {
        if (g_echo_off == 0) return;
        (void)::tcsetattr(STDIN_FILENO, TCSADRAIN, &g_saved);
        g_echo_off = 0;
        std::fputc('\n', stdout);  // the Enter that was not echoed
        std::fflush(stdout);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
};

// Prints text, adding the final newline the library leaves out.
int put_text(std::FILE* f, const char* text) {
    if (text == nullptr) return 1;
    const size_t n = std::strlen(text);
    std::fputs(text, f);
    if (n == 0 || text[n - 1] != '\n') std::fputc('\n', f);
    return std::fflush(f) == 0 && std::ferror(f) == 0 ? 0 : 1;
}

// The library's texts are ours (and the ANSI QR code needs its escapes), so
// they are printed as they are; values a user typed are escaped by the
// library or by the caller before they get here.
int prompter_show(void*, chorus_msg_kind kind, const char* text) {
    return put_text(kind == CHORUS_MSG_ERROR ? stderr : stdout, text);
}

int prompter_ask(void*, int echo, const char* prompt, char** answer) {
    chorus_tools::SecretBuffer buf(kMaxAnswer);
    if (!ask_line(prompt, echo != 0, buf)) return 1;
    *answer = ::strdup(buf.c_str());
    return *answer == nullptr ? 1 : 0;
}

const chorus_prompter kPrompter = {nullptr, prompter_show, prompter_ask};

// PAM modules' messages are escaped: they may quote what a user typed.
int pam_converse(int n, const struct pam_message** msg, struct pam_response** resp, void*) {
    if (n <= 0 || n > PAM_MAX_NUM_MSG || msg == nullptr || resp == nullptr) return PAM_CONV_ERR;
    chorus_tools::PamReplies r(n);
    if (!r) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        const char* text = msg[i]->msg != nullptr ? msg[i]->msg : "";
        const std::string shown = chorus_tools::escape_text(text, false);
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
        case PAM_PROMPT_ECHO_ON: {
            chorus_tools::SecretBuffer buf(PAM_MAX_RESP_SIZE - 1);
            if (!ask_line(shown.c_str(), msg[i]->msg_style == PAM_PROMPT_ECHO_ON, buf) ||
                !r.set(i, buf.c_str()))
                return PAM_CONV_ERR;
            break;
        }
        case PAM_ERROR_MSG:
            (void)put_text(stderr, shown.c_str());
            break;
        case PAM_TEXT_INFO:
            (void)put_text(stdout, shown.c_str());
            break;
        default:
            return PAM_CONV_ERR;
        }
    }
    *resp = r.release();
    return PAM_SUCCESS;
}

const struct pam_conv kPamConv = {pam_converse, nullptr};

}  // namespace

void install_terminal_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = restore_and_reraise;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) (void)::sigaction(sig, &sa, nullptr);
}

bool ask_line(const char* prompt, bool echo, chorus_tools::SecretBuffer& out) {
    chorus_tools::ReadLine r;
    if (echo) {
        std::fputs(prompt, stdout);
        std::fflush(stdout);
        r = chorus_tools::read_secret_line(STDIN_FILENO, out, false);
    } else {
        // Echo goes off (discarding typeahead) before the prompt is shown, so
        // that nothing typed in answer to it can be echoed.
        EchoOff guard;
        std::fputs(prompt, stdout);
        std::fflush(stdout);
        r = chorus_tools::read_secret_line(STDIN_FILENO, out, false);
    }
    if (r == chorus_tools::ReadLine::ok) return true;
    if (r != chorus_tools::ReadLine::eof)
        std::fprintf(stderr, "chorus-enroll: reading an answer: %s\n", chorus_tools::read_line_error(r));
    else if (::isatty(STDIN_FILENO) == 1)
        std::fputc('\n', stdout);
    return false;
}

const chorus_prompter* terminal_prompter() {
    return &kPrompter;
}

const struct pam_conv* terminal_pam_conv() {
    return &kPamConv;
}

}  // namespace chorus_enroll
