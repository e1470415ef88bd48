// SPDX-License-Identifier: BSD-2-Clause
// Single-use codes (recovery codes; later reset codes) stored as salted
// HMAC-SHA256 hashes: "h1$<salt hex>$<mac hex>".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

// 12 symbols from an alphabet without 0/O/1/I, shown as XXXX-XXXX-XXXX
// (60 bits each).
Result<std::vector<SecretString>> generate_recovery_codes(int count);

// A uniformly random decimal code of `digits` (1..9) digits, e.g. for SMS or
// email confirmation.
Result<SecretString> generate_numeric_code(int digits);

// Uppercases and drops spaces and hyphens, so "abcd-efgh ijkl" == "ABCDEFGHIJKL".
SecretString normalize_code(std::string_view input);

Result<std::string> hash_code(std::string_view normalized_code);

// True if code matches hash. Malformed hashes never match.
bool code_matches(std::string_view hash, std::string_view normalized_code);

// Index of the stored code that matches, or -1. Checks every entry, so the
// cost does not depend on which one matched.
int find_code(const std::vector<HashedCode>& codes, std::string_view normalized_code);

}  // namespace chorus
