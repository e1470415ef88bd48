// SPDX-License-Identifier: BSD-2-Clause
#include "common/text.hpp"

namespace chorus_tools {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
// Overlong forms, surrogates and code points past U+10FFFF are invalid.
size_t utf8_len(std::string_view s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (b0 < 0x80) return 1;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        n = 2, min = 0x80, cp = b0 & 0x1fU;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        n = 3, min = 0x800, cp = b0 & 0x0fU;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        n = 4, min = 0x10000, cp = b0 & 0x07U;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xc0U) != 0x80U) return 0;
        cp = (cp << 6) | (b & 0x3fU);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

// "\xNN" for the terminal, "\u00NN" for JSON.
void append_hex(std::string& out, bool json, unsigned v) {
    static const char digits[] = "0123456789abcdef";
    out += json ? "\\u00" : "\\x";
    out += digits[(v >> 4) & 0xfU];
    out += digits[v & 0xfU];
}

}  // namespace

std::string escape_text(std::string_view s, bool escape_backslash) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const size_t n = utf8_len(s, i);
        const bool c1 = n == 2 && b == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
        if (n == 0 || c1 || b < 0x20 || b == 0x7f) {
            append_hex(out, false, b);
            i += 1;
        } else if (b == '\\' && escape_backslash) {
            out += "\\\\";
            i += 1;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        const size_t n = utf8_len(s, i);
        if (n == 0) {
            out += "\\ufffd";
            i += 1;
            continue;
        }
        if (b == '"' || b == '\\') {
            out += '\\';
            out += static_cast<char>(b);
        } else if (b < 0x20 || b == 0x7f) {
            append_hex(out, true, b);
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    out += '"';
    return out;
}

}  // namespace chorus_tools
