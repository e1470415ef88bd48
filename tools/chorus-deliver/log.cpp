// SPDX-License-Identifier: BSD-2-Clause
#include "log.hpp"

#include <syslog.h>

#include <cstdarg>
#include <cstdio>

namespace chorus_deliver {
namespace {

bool g_debug = false;

// Control bytes become \xNN, so a line can't be split or forged.
std::string escape(const char* s) {
    std::string out;
    for (; *s != '\0'; ++s) {
        auto c = static_cast<unsigned char>(*s);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

void emit(int priority, const char* fmt, va_list ap) {
    char buf[1024];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    std::string line = escape(buf);
    syslog(priority, "%s", line.c_str());
    std::fprintf(stderr, "chorus-deliver: %s\n", line.c_str());
}

}  // namespace

void log_open(bool debug) {
    g_debug = debug;
    openlog("chorus-deliver", LOG_PID, LOG_AUTHPRIV);
}

void log_line(int priority, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    emit(priority, fmt, ap);
    va_end(ap);
}

void log_debug(const char* fmt, ...) {
    if (!g_debug) return;
    va_list ap;
    va_start(ap, fmt);
    emit(LOG_DEBUG, fmt, ap);
    va_end(ap);
}

std::string mask_recipient(std::string_view to) {
    static constexpr std::string_view kDot = "\u2022";
    auto at = to.rfind('@');
    if (at != std::string_view::npos) {
        if (at == 0) return std::string(to);
        std::string out(to.substr(0, 1));
        for (int i = 0; i < 3; ++i) out += kDot;
        out += to.substr(at);
        return out;
    }
    // A phone number: keep "+CC" and the last three digits.
    if (to.size() < 7) return std::string(kDot) + std::string(kDot) + std::string(kDot);
    std::string out(to.substr(0, 3));
    for (size_t i = 3; i + 3 < to.size(); ++i) out += kDot;
    out += to.substr(to.size() - 3);
    return out;
}

}  // namespace chorus_deliver
