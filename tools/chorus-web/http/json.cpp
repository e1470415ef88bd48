// SPDX-License-Identifier: BSD-2-Clause
#include "http/json.hpp"

#include <cstdio>

namespace chorus_web {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            // Control characters, and < > & ' as escapes: never "</script>"
            // or a tag, wherever the text lands.
            if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == 0x7f) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
            } else {
                out.push_back(ch);
            }
        }
    }
    out += '"';
    return out;
}

void Json::key(std::string_view k) {
    if (!body_.empty()) body_ += ',';
    body_ += json_string(k);
    body_ += ':';
}

Json& Json::str(std::string_view k, std::string_view value) {
    key(k);
    body_ += json_string(value);
    return *this;
}

Json& Json::boolean(std::string_view k, bool value) {
    key(k);
    body_ += value ? "true" : "false";
    return *this;
}

Json& Json::number(std::string_view k, long long value) {
    key(k);
    body_ += std::to_string(value);
    return *this;
}

Json& Json::raw(std::string_view k, std::string_view json) {
    key(k);
    body_ += json;
    return *this;
}

Json& Json::strings(std::string_view k, const std::vector<std::string>& values) {
    key(k);
    body_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != 0) body_ += ',';
        body_ += json_string(values[i]);
    }
    body_ += ']';
    return *this;
}

}  // namespace chorus_web
