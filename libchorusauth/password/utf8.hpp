// SPDX-License-Identifier: BSD-2-Clause
// Strict UTF-8 decoding and character classification for the password rules.
//
// Decisions (see also docs):
// - Decoding is strict (RFC 3629): overlong forms, surrogates (U+D800..DFFF),
//   code points above U+10FFFF, truncated and stray continuation bytes are
//   invalid. A password that is not valid UTF-8 fails the checklist rule
//   "valid_utf8"; for the other rules each invalid byte counts as one
//   character of class "symbol", so the rest of the checklist stays meaningful
//   (a Latin-1 terminal still sees its length and classes ticked).
// - Classes: a code point is "uppercase" or "lowercase" when it is a letter
//   with case in the C.UTF-8 locale (É, Ж, Σ upper; é, ß, ж, σ lower).
//   "digit" means ASCII 0-9 only, as in POSIX. Everything else — punctuation,
//   spaces, and letters without case (CJK, Arabic, Hebrew, ...) — counts as a
//   "symbol". Counting caseless letters as symbols keeps the admin-facing text
//   "lowercase, uppercase, digits, symbols" literally true and still lets a
//   user of a caseless script earn a class with them, without handing out a
//   free "lowercase" for a script that has no case distinction.
// - The locale is created once with newlocale("C.UTF-8") and used through the
//   *_l functions: a library must not call setlocale() nor change the calling
//   thread's locale. Without C.UTF-8, classification falls back to ASCII.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/secure.hpp"

namespace chorus {

// Decoded passwords are secrets too: the buffer wipes itself.
using CodePoints = std::vector<char32_t, WipingAllocator<char32_t>>;

// Marks an undecodable byte in a CodePoints sequence. It lies outside the
// Unicode range, so it can never collide with a real code point.
inline constexpr char32_t kInvalidByte = 0x110000;

struct DecodedText {
    CodePoints cps;     // invalid bytes appear as kInvalidByte | byte
    bool valid = true;  // false when any byte sequence was invalid
};

// Decodes s strictly; never fails, flags invalid input instead.
DecodedText decode_utf8(std::string_view s);

// Appends the UTF-8 form of cp (a valid scalar value) to out.
void append_utf8(std::string& out, char32_t cp);

enum class CharClass { lowercase, uppercase, digit, symbol };

CharClass classify(char32_t cp);
bool is_letter(char32_t cp);  // any alphabetic code point, cased or not
bool is_digit(char32_t cp);   // ASCII 0-9

// Simple (one-to-one) lowercase mapping; identity for invalid-byte markers.
char32_t to_lower(char32_t cp);

// Lowercases UTF-8 text code point by code point; invalid bytes are copied
// unchanged, so the result is byte-exact for non-UTF-8 input.
std::string utf8_lower(std::string_view s);

// Wipes and empties a std::string that held secret material.
void wipe_string(std::string& s) noexcept;

}  // namespace chorus
