// SPDX-License-Identifier: BSD-2-Clause
#include "otp/base32.hpp"

#include <string>

namespace chorus {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Symbol value 0..31, or -1. Table-free so the lookup does not index memory
// with key-derived values (no cache-timing signal on the key).
int symbol_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= '2' && c <= '7') return c - '2' + 26;
    return -1;
}

bool ignorable(char c) {
    return c == ' ' || c == '\t' || c == '-';
}

}  // namespace

SecretString base32_encode(const std::uint8_t* data, std::size_t len, bool pad) {
    SecretString out;
    auto& s = out.raw();
    s.reserve((len + 4) / 5 * 8);
    std::uint32_t buffer = 0;  // never holds more than 12 bits
    int bits = 0;
    for (std::size_t i = 0; i < len; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            s.push_back(kAlphabet[(buffer >> bits) & 0x1fu]);
        }
        buffer &= (1u << bits) - 1u;
    }
    if (bits > 0) s.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1fu]);
    secure_wipe(&buffer, sizeof buffer);  // key bits: a plain `buffer = 0` is a dead store the compiler drops
    if (pad) {
        while (s.size() % 8 != 0) s.push_back('=');
    }
    return out;
}

Result<SecretBytes> base32_decode(std::string_view text) {
    SecretBytes out;
    out.reserve(text.size() * 5 / 8 + 1);
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t symbols = 0;
    std::size_t padding = 0;
    for (char c : text) {
        if (ignorable(c)) continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const int v = symbol_value(c);
        if (v < 0) {
            return make_error(Errc::invalid_argument,
                              "base32: invalid character (allowed: A-Z, 2-7, spaces, hyphens, trailing '=')");
        }
        if (padding > 0) return make_error(Errc::invalid_argument, "base32: data after '=' padding");
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        ++symbols;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((buffer >> bits) & 0xffu));
            buffer &= (1u << bits) - 1u;
        }
    }
    const std::size_t rem = symbols % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
        return make_error(Errc::invalid_argument, "base32: truncated input (length is not a valid encoding)");
    }
    // Leftover bits must be zero: otherwise two different strings would decode
    // to the same key, and a typo in the last symbol would go unnoticed.
    if (buffer != 0)
        return make_error(Errc::invalid_argument, "base32: non-zero trailing bits (last symbol is wrong)");
    if (padding > 0 && (symbols + padding) % 8 != 0) {
        return make_error(Errc::invalid_argument, "base32: wrong amount of '=' padding");
    }
    if (padding > 6) return make_error(Errc::invalid_argument, "base32: too much '=' padding");
    return out;
}

std::string group_base32(std::string_view b32, int group) {
    if (group <= 0) return std::string(b32);
    const auto g = static_cast<std::size_t>(group);
    std::string out;
    out.reserve(b32.size() + b32.size() / g);
    for (std::size_t i = 0; i < b32.size(); ++i) {
        if (i > 0 && i % g == 0) out.push_back(' ');
        out.push_back(b32[i]);
    }
    return out;
}

}  // namespace chorus
