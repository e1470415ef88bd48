// SPDX-License-Identifier: BSD-2-Clause
// The text primitives of the record format (store/record_codec.hpp): one
// canonical spelling per value, so that parse -> encode is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

bool has_control(std::string_view s);
// invalid_argument naming `what` when s is empty (unless allowed), longer than max, or holds a control
// character.
Status check_text(std::string_view what, std::string_view s, std::size_t max, bool allow_empty);
std::string sha256_hex(std::string_view data);
// Canonical decimal only ("0", "-5", never "+5", "05" or "-0").
bool parse_i64(std::string_view s, std::int64_t& out);
bool parse_bounded(std::string_view s, std::int64_t lo, std::int64_t hi, int& out);
// Lower-case hex, 1 to max_bytes bytes.
bool parse_hex_secret(std::string_view s, std::size_t max_bytes, SecretBytes& out);
void put_line(SecretString::Storage& out, std::string_view key, std::string_view value);
void put_int(SecretString::Storage& out, std::string_view key, std::int64_t v);
void put_hex(SecretString::Storage& out, std::string_view key, const SecretBytes& bytes);

}  // namespace chorus
