// SPDX-License-Identifier: BSD-2-Clause
// Phone numbers and email addresses users register for codes.
#pragma once

#include <string_view>

#include "util/result.hpp"

namespace chorus {

// E.164: '+', a country code not starting with 0, 8 to 15 digits in all.
// Spaces, hyphens, dots and parentheses typed for readability are dropped.
// Numbers without '+' are refused: guessing a country is not ours to do.
Result<std::string> normalize_phone(std::string_view input);

// A plain address: local@domain, printable ASCII, no spaces, at most 254
// bytes, a dot in the domain. (Delivery proves it; this only keeps junk out.)
Result<std::string> normalize_email(std::string_view input);

}  // namespace chorus
