// SPDX-License-Identifier: BSD-2-Clause
// New TOTP/HOTP keys from the OS CSPRNG.
#pragma once

#include "otp/hotp.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

// RFC 4226 section 4 requires at least 128 bits and recommends 160. 64 bytes
// (SHA-512's digest size) is the most HMAC can use without hashing the key
// first, and still gives a QR code a terminal can draw.
inline constexpr int kMinSecretBytes = 16;
inline constexpr int kMaxSecretBytes = 64;

// Default key length: the digest size of the algorithm (RFC 6238's test keys
// use 20, 32 and 64 bytes), because HMAC gains nothing from a longer key and
// loses strength with a shorter one.
int default_secret_bytes(HashAlgorithm alg);

// `bytes` = 0 picks default_secret_bytes(alg). Outside 16..64 is
// Errc::invalid_argument; a CSPRNG failure is Errc::internal (never a weak key).
Result<SecretBytes> generate_secret(HashAlgorithm alg, int bytes = 0);

}  // namespace chorus
