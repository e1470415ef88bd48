// SPDX-License-Identifier: BSD-2-Clause
// The little JSON the gateway protocol needs: writing a string, and reading
// the top-level string members of an object the gateway answered with.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace chorus_deliver {

// Appends s as a JSON string (quoted, escaped; s must be valid UTF-8).
void json_append_string(std::string& out, std::string_view s);

// Parses text as one JSON object and returns its top-level members whose
// values are strings (other members are checked and skipped). nullopt when
// text is not a well-formed object (nesting deeper than 16 is refused).
std::optional<std::map<std::string, std::string>> json_string_members(std::string_view text);

}  // namespace chorus_deliver
