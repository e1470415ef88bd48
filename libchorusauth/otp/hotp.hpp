// SPDX-License-Identifier: BSD-2-Clause
// HOTP (RFC 4226) and TOTP (RFC 6238) over OpenSSL HMAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

enum class HashAlgorithm { sha1, sha256, sha512 };

const char* algorithm_name(HashAlgorithm a);                       // "SHA1", "SHA256", "SHA512"
std::optional<HashAlgorithm> parse_algorithm(std::string_view s);  // case-insensitive sha1/SHA-256/...
std::size_t algorithm_digest_size(HashAlgorithm a);                // 20, 32, 64

// HOTP value for counter as a zero-padded decimal string of `digits` (6..8)
// digits. The key may be any length. Errc::invalid_argument for other digit
// counts, Errc::internal if OpenSSL fails.
Result<SecretString> hotp(HashAlgorithm alg, const std::uint8_t* key, std::size_t key_len,
                          std::uint64_t counter, int digits);

// The TOTP time step of unix time t: floor((t - t0) / period), t0 = 0.
inline std::uint64_t totp_step(std::int64_t t, int period) {
    return t < 0 ? 0 : static_cast<std::uint64_t>(t) / static_cast<std::uint64_t>(period);
}

// Largest accepted totp_match window (steps each side). A larger window is a
// configuration mistake that also lets one attempt cost thousands of HMACs.
inline constexpr int kMaxTotpWindow = 100;

struct TotpParams {
    HashAlgorithm algorithm = HashAlgorithm::sha1;
    int digits = 6;
    int period = 30;
};

// Finds the step in [step_now - window, step_now + window] whose code equals
// `code`. Always computes every candidate and compares each in constant time,
// so a wrong code costs the same as a right one. Returns the matched step
// (the lowest, should two steps share a code). Returns nullopt for a wrong or
// malformed code (length != digits, non-digits; these still cost the full HMAC
// work), for digits outside 6..8, a window outside 0..kMaxTotpWindow, or an
// HMAC failure. Steps below 0 are skipped (no wrap-around near the epoch).
std::optional<std::uint64_t> totp_match(const TotpParams& p, const std::uint8_t* key, std::size_t key_len,
                                        std::string_view code, std::uint64_t step_now, int window);

}  // namespace chorus
