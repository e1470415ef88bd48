// SPDX-License-Identifier: BSD-2-Clause
// Sealing secrets at rest: AES-256-GCM with a host (or fleet) key, so a copy
// of the state alone reveals no usable TOTP key.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

inline constexpr std::size_t kSealKeyBytes = 32;
inline constexpr std::size_t kSealOverhead = 12 + 16;  // nonce + tag

// nonce(12) || ciphertext || tag(16). `context` is authenticated but not
// stored: the same context must be given to unseal (e.g. the user's name, so
// a sealed key moved to another user's record does not open).
Result<SecretBytes> seal(const SecretBytes& key, const SecretBytes& plaintext, std::string_view context);
Result<SecretBytes> unseal(const SecretBytes& key, const SecretBytes& sealed, std::string_view context);

// Parses a key file's text: 64 hex digits and an optional newline
// (`openssl rand -hex 32`).
Result<SecretBytes> parse_seal_key(std::string_view text);

}  // namespace chorus
