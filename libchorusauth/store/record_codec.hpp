// SPDX-License-Identifier: BSD-2-Clause
// The on-disk text form of a UserRecord (file store "<user>.rec"):
//
//   chorus-user 1               (2 when a contact is proven or an alternate phone is set)
//   totp.secret <hex>           key lines, "key SP value", value to end of line
//   ...
//   sha256 <64 hex>             SHA-256 of every byte before this line
//
// Values may not contain control characters, so no field can inject a line;
// the encoder refuses such a record instead of escaping it. The parser is
// strict (unknown key, repeated singular key, non-canonical number, bound
// exceeded, bad checksum: Errc::corrupt) because it reads root-owned state
// that only we write, and it is fuzzed.
#pragma once

#include <cstddef>
#include <string_view>

#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

inline constexpr std::size_t kMaxRecordBytes = std::size_t{1024} * 1024;

// Checks every field against the bounds the parser enforces; Errc::invalid_argument.
Status validate_record(const UserRecord& rec);

// The file text. It holds the TOTP key (hex), hence a wiping string.
Result<SecretString> encode_record(const UserRecord& rec);

// Parses file text; any deviation from what encode_record() writes is Errc::corrupt.
Result<UserRecord> parse_record(std::string_view text);

}  // namespace chorus
