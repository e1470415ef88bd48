// SPDX-License-Identifier: BSD-2-Clause
#include "store/record_text.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

namespace chorus {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;  // lower case only: one spelling per key
}

}  // namespace

bool has_control(std::string_view s) {
    return std::ranges::any_of(s, [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

Status check_text(std::string_view what, std::string_view s, std::size_t max, bool allow_empty) {
    if (s.empty() && !allow_empty) return make_error(Errc::invalid_argument, std::string(what) + " is empty");
    if (s.size() > max) return make_error(Errc::invalid_argument, std::string(what) + " is too long");
    if (has_control(s))
        return make_error(Errc::invalid_argument, std::string(what) + " contains a control character");
    return ok_status();
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string out;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) return out;
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[md[i] >> 4]);
        out.push_back(kHex[md[i] & 0xf]);
    }
    return out;
}

// Canonical decimal only ("0", "-5", never "+5", "05" or "-0"), so each value
// has exactly one spelling and a fuzzer's round trip is exact.
bool parse_i64(std::string_view s, std::int64_t& out) {
    std::string_view digits = s;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    if (digits.empty() || (digits.front() == '0' && (digits.size() > 1 || s.size() != digits.size())))
        return false;
    for (char c : digits)
        if (c < '0' || c > '9') return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_bounded(std::string_view s, std::int64_t lo, std::int64_t hi, int& out) {
    std::int64_t v = 0;
    if (!parse_i64(s, v) || v < lo || v > hi) return false;
    out = static_cast<int>(v);
    return true;
}

bool parse_hex_secret(std::string_view s, std::size_t max_bytes, SecretBytes& out) {
    if (s.empty() || s.size() % 2 != 0 || s.size() / 2 > max_bytes) return false;
    out.clear();
    out.reserve(s.size() / 2);  // no reallocation, so no unwiped copies of partial keys
    for (std::size_t i = 0; i < s.size(); i += 2) {
        int hi = hex_digit(s[i]);
        int lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return true;
}

void put_line(SecretString::Storage& out, std::string_view key, std::string_view value) {
    out.append(key.data(), key.size());
    out.push_back(' ');
    out.append(value.data(), value.size());
    out.push_back('\n');
}

void put_int(SecretString::Storage& out, std::string_view key, std::int64_t v) {
    std::string s = std::to_string(v);
    put_line(out, key, s);
}

void put_hex(SecretString::Storage& out, std::string_view key, const SecretBytes& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.append(key.data(), key.size());
    out.push_back(' ');
    for (std::uint8_t b : bytes) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    out.push_back('\n');
}

}  // namespace chorus
