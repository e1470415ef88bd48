// SPDX-License-Identifier: BSD-2-Clause
#include "flows/contact.hpp"

#include <string>

namespace chorus {

Result<std::string> normalize_phone(std::string_view input) {
    std::string out;
    for (char c : input) {
        if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
        if (c == '+' && out.empty()) {
            out += c;
            continue;
        }
        if (c < '0' || c > '9')
            return make_error(Errc::invalid_argument, "a phone number may hold only digits after '+'");
        out += c;
    }
    if (out.empty() || out[0] != '+')
        return make_error(Errc::invalid_argument,
                          "write the number in international form, starting with + and the country code");
    const std::size_t digits = out.size() - 1;
    if (digits < 8 || digits > 15)
        return make_error(Errc::invalid_argument, "a phone number has 8 to 15 digits");
    if (out[1] == '0') return make_error(Errc::invalid_argument, "a country code does not start with 0");
    return out;
}

Result<std::string> normalize_email(std::string_view input) {
    while (!input.empty() && input.front() == ' ') input.remove_prefix(1);
    while (!input.empty() && input.back() == ' ') input.remove_suffix(1);
    if (input.empty() || input.size() > 254)
        return make_error(Errc::invalid_argument, "an email address has 3 to 254 characters");
    for (char c : input)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return make_error(Errc::invalid_argument,
                              "an email address holds printable ASCII without spaces");
    const std::size_t at = input.find('@');
    if (at == std::string_view::npos || at == 0 || input.find('@', at + 1) != std::string_view::npos)
        return make_error(Errc::invalid_argument, "an email address has one @ with a name before it");
    std::string_view domain = input.substr(at + 1);
    if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos)
        return make_error(Errc::invalid_argument, "the part after @ must be a domain such as example.org");
    return std::string(input);
}

}  // namespace chorus
