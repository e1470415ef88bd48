// SPDX-License-Identifier: BSD-2-Clause
// Making untrusted text safe to print: terminal escapes and JSON strings.
#pragma once

#include <string>
#include <string_view>

namespace chorus_tools {

// Returns s with every byte that could steer a terminal written as \xNN: C0
// controls, DEL, C1 controls (U+0080..U+009F) and bytes that are not part of
// valid UTF-8. A backslash becomes "\\" so the output is unambiguous, unless
// escape_backslash is false (for text the library has escaped already).
std::string escape_text(std::string_view s, bool escape_backslash = true);

// Returns s as a JSON string literal (with quotes). Control characters become
// \u00XX; bytes that are not valid UTF-8 become U+FFFD.
std::string json_string(std::string_view s);

}  // namespace chorus_tools
