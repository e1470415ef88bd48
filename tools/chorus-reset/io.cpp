// SPDX-License-Identifier: BSD-2-Clause
// Talking to the person: everything goes to stdout (over ssh that is the
// terminal; in --batch the test reads it), answers come from stdin one line
// at a time. Text from the library is escaped line by line, so a message can
// never carry terminal escapes.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "chorus-reset/reset.hpp"
#include "common/text.hpp"

namespace reset_tool {
namespace {

void print_escaped(std::string_view text) {
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string line = chorus_tools::escape_text(text.substr(pos, nl - pos), false);
        std::fprintf(stdout, "%s\n", line.c_str());
        pos = nl + 1;
    }
    std::fflush(stdout);
}

int prompter_show(void*, chorus_msg_kind kind, const char* text) {
    if (text == nullptr) return -1;
    (void)kind;  // errors and information look the same on a terminal
    say(text);
    return 0;
}

int prompter_ask(void* arg, int echo, const char* prompt, char** answer) {
    *answer = nullptr;
    const auto* io = static_cast<const Io*>(arg);
    chorus_tools::SecretBuffer line(kMaxLine);
    if (!ask(*io, prompt != nullptr ? prompt : "", echo != 0, line)) return -1;
    // The library wipes and frees the copy.
    *answer = ::strdup(line.c_str());
    return *answer != nullptr ? 0 : -1;
}

}  // namespace

void say(const char* text) {
    print_escaped(text);
}

void flush_out() {
    std::fflush(stdout);
}

bool ask(const Io& io, const char* prompt, bool echo, chorus_tools::SecretBuffer& out) {
    for (;;) {
        const std::string shown = chorus_tools::escape_text(prompt, false);
        std::fputs(shown.c_str(), stdout);
        std::fflush(stdout);
        // Terminal: echo is switched off (and restored) around a secret.
        // Batch: the answer is a line on stdin; echo the newline so that the
        // transcript stays one prompt per line.
        const auto r = chorus_tools::read_secret_line(STDIN_FILENO, out, !echo && !io.batch);
        if (io.batch || (echo && r != chorus_tools::ReadLine::ok)) std::fputc('\n', stdout);
        if (r == chorus_tools::ReadLine::ok) return true;
        if (r == chorus_tools::ReadLine::too_long || r == chorus_tools::ReadLine::nul_byte) {
            say("That answer is too long.");
            continue;
        }
        return false;  // end of input or a read error
    }
}

chorus_prompter make_prompter(const Io* io) {
    chorus_prompter p{};
    p.arg = const_cast<Io*>(io);  // the C struct has no const; io is only read
    p.show = prompter_show;
    p.ask = prompter_ask;
    return p;
}

}  // namespace reset_tool
