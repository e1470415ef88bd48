// SPDX-License-Identifier: BSD-2-Clause
// RFC 4648 base32, the encoding authenticator apps use for TOTP keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

// Uppercase RFC 4648 alphabet. Without padding by default, because otpauth
// URIs and most apps expect none; pad = true appends '=' to a multiple of 8.
// The result is a SecretString because the input is usually a key.
SecretString base32_encode(const std::uint8_t* data, std::size_t len, bool pad = false);
inline SecretString base32_encode(const SecretBytes& data, bool pad = false) {
    return base32_encode(data.data(), data.size(), pad);
}

// Decodes what a person might type or paste: lowercase, spaces and hyphens
// anywhere are ignored, trailing '=' padding is optional (but must be the
// right amount if present). Any other character, a length that no byte string
// encodes to (1, 3 or 6 symbols mod 8), or non-zero leftover bits is
// Errc::invalid_argument. Error messages never quote the input.
Result<SecretBytes> base32_decode(std::string_view text);

// "ABCDEFGHIJ" -> "ABCD EFGH IJ": readable when a key must be typed by hand.
// group <= 0 returns the input unchanged. The caller owns wiping the result.
std::string group_base32(std::string_view b32, int group = 4);

}  // namespace chorus
