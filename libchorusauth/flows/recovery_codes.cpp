// SPDX-License-Identifier: BSD-2-Clause
#include "flows/recovery_codes.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace chorus {
namespace {

constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // 32 symbols
constexpr int kCodeSymbols = 12;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kMacBytes = 32;
constexpr std::string_view kPrefix = "h1$";

std::string to_hex(const unsigned char* p, std::size_t n) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += hex[p[i] >> 4];
        out += hex[p[i] & 0xf];
    }
    return out;
}

bool from_hex(std::string_view s, unsigned char* out, std::size_t n) {
    if (s.size() != n * 2) return false;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < n; ++i) {
        int hi = nib(s[2 * i]), lo = nib(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return true;
}

bool mac(const unsigned char* salt, std::string_view code, unsigned char out[kMacBytes]) {
    unsigned int len = 0;
    return HMAC(EVP_sha256(), salt, static_cast<int>(kSaltBytes),
                reinterpret_cast<const unsigned char*>(code.data()), code.size(), out, &len) != nullptr &&
           len == kMacBytes;
}

}  // namespace

Result<std::vector<SecretString>> generate_recovery_codes(int count) {
    std::vector<SecretString> codes;
    for (int c = 0; c < count; ++c) {
        unsigned char rnd[kCodeSymbols];
        if (!random_bytes(rnd, sizeof rnd)) return make_error(Errc::io, "getrandom failed");
        SecretString code;
        code.raw().reserve(kCodeSymbols + 2);
        for (int i = 0; i < kCodeSymbols; ++i) {
            if (i > 0 && i % 4 == 0) code.raw() += '-';
            code.raw() += kAlphabet[rnd[i] & 31];  // 256 is a multiple of 32: no bias
        }
        secure_wipe(rnd, sizeof rnd);
        codes.push_back(std::move(code));
    }
    return codes;
}

Result<SecretString> generate_numeric_code(int digits) {
    if (digits < 1 || digits > 9)
        return make_error(Errc::invalid_argument, "numeric codes have 1 to 9 digits");
    std::uint32_t limit = 1;
    for (int i = 0; i < digits; ++i) limit *= 10;
    // Rejection sampling: no modulo bias.
    const std::uint32_t ceiling = UINT32_MAX - UINT32_MAX % limit;
    std::uint32_t v = 0;
    do {
        if (!random_bytes(&v, sizeof v)) return make_error(Errc::io, "getrandom failed");
    } while (v >= ceiling);
    SecretString code;
    code.raw().assign(static_cast<std::size_t>(digits), '0');
    v %= limit;
    for (int i = digits - 1; i >= 0; --i, v /= 10)
        code.raw()[static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
    return code;
}

SecretString normalize_code(std::string_view input) {
    SecretString out;
    out.raw().reserve(input.size());
    for (char c : input) {
        if (c == ' ' || c == '-' || c == '\t') continue;
        out.raw() += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

Result<std::string> hash_code(std::string_view normalized_code) {
    unsigned char salt[kSaltBytes];
    unsigned char out[kMacBytes];
    if (!random_bytes(salt, sizeof salt)) return make_error(Errc::io, "getrandom failed");
    if (!mac(salt, normalized_code, out)) return make_error(Errc::internal, "HMAC failed");
    std::string h(kPrefix);
    h += to_hex(salt, sizeof salt);
    h += '$';
    h += to_hex(out, sizeof out);
    secure_wipe(out, sizeof out);
    return h;
}

bool code_matches(std::string_view hash, std::string_view normalized_code) {
    // h1$ + 32 hex + $ + 64 hex
    if (hash.size() != kPrefix.size() + kSaltBytes * 2 + 1 + kMacBytes * 2 ||
        hash.substr(0, kPrefix.size()) != kPrefix || hash[kPrefix.size() + kSaltBytes * 2] != '$')
        return false;
    unsigned char salt[kSaltBytes], want[kMacBytes], got[kMacBytes];
    if (!from_hex(hash.substr(kPrefix.size(), kSaltBytes * 2), salt, kSaltBytes) ||
        !from_hex(hash.substr(kPrefix.size() + kSaltBytes * 2 + 1), want, kMacBytes))
        return false;
    bool ok = mac(salt, normalized_code, got) && ct_equal(got, kMacBytes, want, kMacBytes);
    secure_wipe(got, sizeof got);
    return ok;
}

int find_code(const std::vector<HashedCode>& codes, std::string_view normalized_code) {
    int found = -1;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        // No early exit: every entry costs one HMAC.
        if (code_matches(codes[i].hash, normalized_code) && found < 0) found = static_cast<int>(i);
    }
    return found;
}

}  // namespace chorus
