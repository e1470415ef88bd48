// SPDX-License-Identifier: BSD-2-Clause
// Logging goes to a sink chosen by the front end: syslog for the PAM module,
// stderr for the tools. The library never prints on its own.
#pragma once

#include <string>
#include <string_view>

namespace chorus {

enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };  // syslog values

class Logger {
public:
    using Sink = void (*)(void* arg, int priority, const char* message);
    Logger() = default;
    Logger(Sink sink, void* arg, bool debug) : sink_(sink), arg_(arg), debug_(debug) {}

    bool debug_enabled() const { return debug_; }
    // Control characters are escaped before the sink sees the text, so a
    // hostile username can't forge log lines.
    void log(LogLevel level, std::string_view message) const;
    void logf(LogLevel level, const char* fmt, ...) const __attribute__((format(printf, 3, 4)));

private:
    Sink sink_ = nullptr;
    void* arg_ = nullptr;
    bool debug_ = false;
};

// "\x1b" for control bytes and DEL; printable text unchanged.
std::string escape_control(std::string_view s);

}  // namespace chorus

// Debug output: formatted only when debug is on. Never pass a secret.
#define CHORUS_DEBUG(logger, ...)                                                            \
    do {                                                                                     \
        if ((logger).debug_enabled()) (logger).logf(::chorus::LogLevel::debug, __VA_ARGS__); \
    } while (0)
