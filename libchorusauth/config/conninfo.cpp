// SPDX-License-Identifier: BSD-2-Clause
#include "config/conninfo.hpp"

#include <cctype>

namespace chorus {

std::vector<std::string> conninfo_keywords(std::string_view s) {
    std::vector<std::string> keys;
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    if (s.starts_with("postgresql://") || s.starts_with("postgres://")) {
        for (std::size_t i = s.find('?'); i < s.size(); i = s.find('&', i + 1)) {
            std::string key;
            for (std::size_t j = i + 1; j < s.size() && s[j] != '=' && s[j] != '&'; ++j) {
                const std::string hex(s.substr(j + 1, s[j] == '%' ? 2 : 0));
                const bool escaped = hex.size() == 2 && std::isxdigit(static_cast<unsigned char>(hex[0])) &&
                                     std::isxdigit(static_cast<unsigned char>(hex[1]));
                key.push_back(escaped ? static_cast<char>(std::stoi(hex, nullptr, 16)) : s[j]);
                j += escaped ? 2 : 0;
            }
            keys.push_back(key);
        }
        return keys;
    }
    std::size_t i = 0;
    auto skip = [&] {
        while (i < s.size() && space(s[i])) ++i;
    };
    for (skip(); i < s.size(); skip()) {
        const std::size_t start = i;
        while (i < s.size() && s[i] != '=' && !space(s[i])) ++i;
        keys.emplace_back(s.substr(start, i - start));
        skip();
        if (i >= s.size() || s[i++] != '=') break;
        skip();
        const bool quoted = i < s.size() && s[i] == '\'';
        for (i += quoted ? 1 : 0; i < s.size() && (quoted ? s[i] != '\'' : !space(s[i])); ++i)
            if (s[i] == '\\') ++i;
        if (quoted) ++i;
    }
    return keys;
}

}  // namespace chorus
