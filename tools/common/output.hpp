// SPDX-License-Identifier: BSD-2-Clause
// Output helpers shared by the tools: the stderr log sink handed to
// chorus_ctx_new() and the password checklist.
#pragma once

#include <chorus/chorus.h>

#include <cstdio>

namespace chorus_tools {

// The argument of stderr_log: program name, and whether to show notices
// (the library's "key registered for ..." lines, which the tools report
// themselves) as well as warnings and errors.
struct LogSink {
    const char* prog;
    bool verbose;
};

// chorus_log_fn writing "PROG: message" to stderr; arg is a LogSink *.
// Priorities above LOG_WARNING are shown only when verbose (debug messages
// come only when the context was made with CHORUS_CTX_DEBUG). The library
// escapes control characters in message; raw control bytes are escaped once
// more here so that nothing reaches the terminal unescaped.
void stderr_log(void* arg, int priority, const char* message);

// Prints one line per rule, "[x] text" when met and "[ ] text" when not, and
// returns how many rules are not met.
size_t print_checklist(std::FILE* out, const chorus_checklist_t* cl);

// "YYYY-MM-DD HH:MM:SS UTC" for a Unix time, or "never" for 0.
const char* format_time(long long t, char* buf, size_t size);

}  // namespace chorus_tools
