// SPDX-License-Identifier: BSD-2-Clause
#include "password/utf8.hpp"

#include <locale.h>
#include <wctype.h>

namespace chorus {
namespace {

// One process-wide C.UTF-8 locale object, created on first use (thread-safe
// static initialisation) and never freed: uselocale()/setlocale() would
// change state the host program (sshd, sudo) owns.
locale_t utf8_locale() {
    static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return loc;
}

bool is_invalid_marker(char32_t cp) {
    return cp >= kInvalidByte;
}

bool is_continuation(unsigned char b) {
    return (b & 0xC0U) == 0x80U;
}

// Decodes one sequence at s[i]. Returns its length, or 0 when invalid.
std::size_t decode_one(std::string_view s, std::size_t i, char32_t& out) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80U) {
        out = b0;
        return 1;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {  // C0/C1 would only start overlong forms
        len = 2, cp = b0 & 0x1FU, min = 0x80;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        len = 3, cp = b0 & 0x0FU, min = 0x800;
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {  // F5.. would exceed U+10FFFF
        len = 4, cp = b0 & 0x07U, min = 0x10000;
    } else {
        return 0;
    }
    if (s.size() - i < len) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (!is_continuation(b)) return 0;
        cp = (cp << 6) | (b & 0x3FU);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    out = cp;
    return len;
}

}  // namespace

DecodedText decode_utf8(std::string_view s) {
    DecodedText d;
    d.cps.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        char32_t cp = 0;
        std::size_t n = decode_one(s, i, cp);
        if (n == 0) {
            // One byte at a time: resynchronises on the next lead byte and
            // counts every undecodable byte as one character.
            d.valid = false;
            d.cps.push_back(kInvalidByte | static_cast<unsigned char>(s[i]));
            ++i;
        } else {
            d.cps.push_back(cp);
            i += n;
        }
    }
    return d;
}

void append_utf8(std::string& out, char32_t cp) {
    if (is_invalid_marker(cp)) {
        out.push_back(static_cast<char>(cp & 0xFFU));
    } else if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0U | (cp >> 6)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0U | (cp >> 12)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    } else {
        out.push_back(static_cast<char>(0xF0U | (cp >> 18)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 12) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | ((cp >> 6) & 0x3FU)));
        out.push_back(static_cast<char>(0x80U | (cp & 0x3FU)));
    }
}

bool is_digit(char32_t cp) {
    return cp >= U'0' && cp <= U'9';
}

bool is_letter(char32_t cp) {
    if (is_invalid_marker(cp)) return false;
    if (cp < 0x80) return (cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z');
    locale_t loc = utf8_locale();
    if (loc == static_cast<locale_t>(nullptr)) return false;
    return iswalpha_l(static_cast<wint_t>(cp), loc) != 0;
}

char32_t to_lower(char32_t cp) {
    if (is_invalid_marker(cp)) return cp;
    if (cp < 0x80) return (cp >= U'A' && cp <= U'Z') ? cp + 32 : cp;
    locale_t loc = utf8_locale();
    if (loc == static_cast<locale_t>(nullptr)) return cp;
    return static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), loc));
}

CharClass classify(char32_t cp) {
    if (is_digit(cp)) return CharClass::digit;
    if (is_invalid_marker(cp)) return CharClass::symbol;
    if (cp < 0x80) {
        if (cp >= U'a' && cp <= U'z') return CharClass::lowercase;
        if (cp >= U'A' && cp <= U'Z') return CharClass::uppercase;
        return CharClass::symbol;
    }
    locale_t loc = utf8_locale();
    if (loc == static_cast<locale_t>(nullptr)) return CharClass::symbol;
    const auto wc = static_cast<wint_t>(cp);
    if (iswupper_l(wc, loc)) return CharClass::uppercase;
    if (iswlower_l(wc, loc)) return CharClass::lowercase;
    // Titlecase letters (ǅ) and the like are neither; a case mapping tells
    // which side they behave as.
    if (towlower_l(wc, loc) != wc) return CharClass::uppercase;
    if (towupper_l(wc, loc) != wc) return CharClass::lowercase;
    return CharClass::symbol;  // caseless letters, punctuation, spaces
}

std::string utf8_lower(std::string_view s) {
    DecodedText d = decode_utf8(s);
    std::string out;
    // Lowercasing can grow a character from 2 to 3 bytes (U+023A -> U+2C65);
    // reserving enough up front means no reallocation leaves an unwiped copy.
    out.reserve(s.size() + s.size() / 2 + 4);
    for (char32_t cp : d.cps) append_utf8(out, to_lower(cp));
    return out;
}

void wipe_string(std::string& s) noexcept {
    // capacity() covers the whole buffer, including the inline (SSO) one.
    secure_wipe(s.data(), s.capacity());
    s.clear();
}

}  // namespace chorus
