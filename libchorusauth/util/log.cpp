// SPDX-License-Identifier: BSD-2-Clause
#include "util/log.hpp"

#include <cstdarg>
#include <cstdio>
#include <vector>

namespace chorus {

std::string escape_control(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

void Logger::log(LogLevel level, std::string_view message) const {
    if (sink_ == nullptr) return;
    if (level == LogLevel::debug && !debug_) return;
    std::string clean = escape_control(message);
    sink_(arg_, static_cast<int>(level), clean.c_str());
}

// NOLINTNEXTLINE(cert-dcl50-cpp): printf-like by design; format(printf) lets -Wformat check callers
void Logger::logf(LogLevel level, const char* fmt, ...) const {
    if (sink_ == nullptr) return;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    std::vector<char> buf(static_cast<std::size_t>(n) + 1);
    (void)std::vsnprintf(buf.data(), buf.size(), fmt, ap2);
    va_end(ap2);
    log(level, std::string_view(buf.data(), static_cast<std::size_t>(n)));
}

}  // namespace chorus
