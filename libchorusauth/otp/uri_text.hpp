// SPDX-License-Identifier: BSD-2-Clause
// RFC 3986 percent-encoding and the text checks otpauth labels need.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace chorus {

// Keeps RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) and encodes every
// other byte as %XX (uppercase hex). A space becomes %20, never '+'.
std::string percent_encode(std::string_view s);

// Decodes %XX escapes (either hex case). A '%' not followed by two hex digits
// is Errc::invalid_argument. '+' stays '+' (RFC 3986, not form encoding).
// Works into `out` so a caller decoding a secret can pass a wiping buffer.
template <typename Str>
Status percent_decode_into(std::string_view s, Str& out);
Result<std::string> percent_decode(std::string_view s);

// Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// True if s holds a C0 control character, DEL or (UTF-8 encoded) a C1
// control: such names could inject
// terminal escapes when an issuer or account name is displayed.
bool has_control_chars(std::string_view s);

// ---- implementation of the template ----

namespace uri_detail {
inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}
}  // namespace uri_detail

template <typename Str>
Status percent_decode_into(std::string_view s, Str& out) {
    out.clear();
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (s.size() - i < 3) {
            return make_error(Errc::invalid_argument, "truncated percent escape");
        }
        const int hi = uri_detail::hex_value(s[i + 1]);
        const int lo = uri_detail::hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return make_error(Errc::invalid_argument, "malformed percent escape");
        out.push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
    }
    return ok_status();
}

}  // namespace chorus
