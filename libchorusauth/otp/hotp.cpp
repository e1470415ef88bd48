// SPDX-License-Identifier: BSD-2-Clause
// HOTP (RFC 4226) and TOTP (RFC 6238). The one-shot HMAC() is used on purpose:
// a login computes at most a few dozen HMACs, so a reusable EVP_MAC context
// would add state and error paths for no measurable gain.
#include "otp/hotp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <climits>

namespace chorus {

namespace {

constexpr int kMinDigits = 6;
constexpr int kMaxDigits = 8;
constexpr std::uint32_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

const EVP_MD* evp_md(HashAlgorithm a) {
    switch (a) {
    case HashAlgorithm::sha1:
        return EVP_sha1();
    case HashAlgorithm::sha256:
        return EVP_sha256();
    case HashAlgorithm::sha512:
        return EVP_sha512();
    }
    return nullptr;
}

bool digits_ok(int digits) {
    return digits >= kMinDigits && digits <= kMaxDigits;
}

// Computes the decimal code for `counter` into out[0..digits). Returns false
// if HMAC fails. The HMAC output is wiped before returning because the
// truncated value alone is the code, and the full MAC is key-equivalent
// material for this counter.
bool hotp_digits(HashAlgorithm alg, const std::uint8_t* key, std::size_t key_len, std::uint64_t counter,
                 int digits, char* out) {
    const EVP_MD* md = evp_md(alg);
    if (md == nullptr || key_len > static_cast<std::size_t>(INT_MAX)) return false;
    std::array<unsigned char, 8> msg{};
    for (int i = 7; i >= 0; --i) {
        msg[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xffu);
        counter >>= 8;
    }
    // OpenSSL 3's HMAC() treats a NULL key as "reuse the previous key" on some
    // paths; an empty key must still be a valid, non-NULL pointer.
    static const unsigned char kEmpty = 0;
    const unsigned char* k = key_len == 0 ? &kEmpty : key;
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int mac_len = 0;
    const bool ok =
        HMAC(md, k, static_cast<int>(key_len), msg.data(), msg.size(), mac.data(), &mac_len) != nullptr &&
        mac_len == algorithm_digest_size(alg);
    std::uint32_t bin = 0;
    if (ok) {
        // RFC 4226 section 5.3: offset from the low nibble of the last byte.
        const std::size_t off = mac[mac_len - 1] & 0x0fu;
        bin = (static_cast<std::uint32_t>(mac[off] & 0x7fu) << 24) |
              (static_cast<std::uint32_t>(mac[off + 1]) << 16) |
              (static_cast<std::uint32_t>(mac[off + 2]) << 8) | static_cast<std::uint32_t>(mac[off + 3]);
    }
    secure_wipe(mac.data(), mac.size());
    if (!ok) return false;
    std::uint32_t v = bin % kPow10[digits];
    for (int i = digits - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return true;
}

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

const char* algorithm_name(HashAlgorithm a) {
    switch (a) {
    case HashAlgorithm::sha1:
        return "SHA1";
    case HashAlgorithm::sha256:
        return "SHA256";
    case HashAlgorithm::sha512:
        return "SHA512";
    }
    return "?";
}

std::optional<HashAlgorithm> parse_algorithm(std::string_view s) {
    // Accept "sha1", "SHA1", "sha-1", "SHA-256", ...: config files, CLI flags
    // and otpauth URIs spell these differently.
    std::string norm;
    for (char c : s) {
        if (c == '-') continue;
        if (norm.size() >= 8) return std::nullopt;
        norm.push_back(ascii_lower(c));
    }
    if (norm == "sha1") return HashAlgorithm::sha1;
    if (norm == "sha256") return HashAlgorithm::sha256;
    if (norm == "sha512") return HashAlgorithm::sha512;
    return std::nullopt;
}

std::size_t algorithm_digest_size(HashAlgorithm a) {
    switch (a) {
    case HashAlgorithm::sha1:
        return 20;
    case HashAlgorithm::sha256:
        return 32;
    case HashAlgorithm::sha512:
        return 64;
    }
    return 0;
}

Result<SecretString> hotp(HashAlgorithm alg, const std::uint8_t* key, std::size_t key_len,
                          std::uint64_t counter, int digits) {
    if (!digits_ok(digits)) return make_error(Errc::invalid_argument, "OTP digits must be 6, 7 or 8");
    if (key == nullptr && key_len != 0) return make_error(Errc::invalid_argument, "OTP key is NULL");
    std::array<char, kMaxDigits> buf{};
    if (!hotp_digits(alg, key, key_len, counter, digits, buf.data())) {
        return make_error(Errc::internal, "HMAC computation failed");
    }
    SecretString code(std::string_view(buf.data(), static_cast<std::size_t>(digits)));
    secure_wipe(buf.data(), buf.size());
    return code;
}

std::optional<std::uint64_t> totp_match(const TotpParams& p, const std::uint8_t* key, std::size_t key_len,
                                        std::string_view code, std::uint64_t step_now, int window) {
    if (!digits_ok(p.digits) || window < 0 || window > kMaxTotpWindow) return std::nullopt;
    if (key == nullptr && key_len != 0) return std::nullopt;
    const auto digits = static_cast<std::size_t>(p.digits);

    // A malformed code is compared against a dummy of the right length so it
    // costs exactly the HMAC work of a wrong code. The length is public (the
    // prompt says how many digits), so branching on it leaks nothing.
    bool well_formed = code.size() == digits;
    if (well_formed) {
        unsigned bad = 0;
        for (char c : code) bad |= static_cast<unsigned>(c < '0' || c > '9');
        well_formed = bad == 0;
    }
    static constexpr char kDummy[kMaxDigits] = {'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'};
    const std::string_view want = well_formed ? code : std::string_view(kDummy, digits);

    const auto w = static_cast<std::uint64_t>(window);
    const std::uint64_t lo = step_now >= w ? step_now - w : 0;
    const std::uint64_t hi = UINT64_MAX - step_now >= w ? step_now + w : UINT64_MAX;

    std::optional<std::uint64_t> found;
    bool failed = false;
    std::array<char, kMaxDigits> cand{};
    // No early exit: every step in the window is computed and compared.
    for (std::uint64_t step = lo;; ++step) {
        if (!hotp_digits(p.algorithm, key, key_len, step, p.digits, cand.data())) failed = true;
        const bool eq = ct_equal(cand.data(), digits, want.data(), want.size());
        if (eq && !found) found = step;
        if (step == hi) break;
    }
    secure_wipe(cand.data(), cand.size());
    if (failed || !well_formed) return std::nullopt;
    return found;
}

}  // namespace chorus
