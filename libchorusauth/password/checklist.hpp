// SPDX-License-Identifier: BSD-2-Clause
// Password rules. The checker evaluates every rule and returns the whole
// checklist (met and unmet), so a front end can show progress as the user types.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace chorus {

class Blocklist;

struct RuleResult {
    std::string id;    // stable identifier: "min_length", "max_length", "classes",
                       // "no_username", "not_blocklisted", "max_repeat", "max_sequence",
                       // "valid_utf8", "history" (in this order; see check_password)
    std::string text;  // human text: "At least 8 characters"
    bool met = false;
};

struct Checklist {
    std::vector<RuleResult> rules;
    bool ok() const {
        return std::ranges::all_of(rules, [](const RuleResult& r) { return r.met; });
    }
};

struct PasswordSubject {
    std::string_view username;
    std::string_view gecos;  // full GECOS field; name parts split on commas and spaces
};

// The name parts of a GECOS field that the no_username rule looks for: the
// first comma-separated field ("Jane Q. Doe,Room 1,..." -> "Jane Q. Doe"),
// split on spaces, tabs and hyphens ("Mary-Jane" -> "Mary", "Jane"), keeping
// parts of at least 3 characters (code points) so initials do not forbid
// every password containing that letter.
std::vector<std::string> gecos_name_parts(std::string_view gecos);

// Evaluates every configured rule (history is added by the caller, see
// history.hpp). blocklist may be null (no blocklist configured).
//
// Rules, in this fixed order (omitted ones noted):
//   min_length       "At least 8 characters" (code points)
//   max_length       "At most 16 characters"               (omitted when max_length is 0)
//   classes          "At least 3 of: lowercase, uppercase, digits, symbols"
//                                                          (omitted when min_classes is 0)
//   no_username      "Does not contain your user name or name"
//                                                          (omitted unless reject_username and
//                                                           a username is given)
//   not_blocklisted  "Not a common or leaked password"     (omitted without a blocklist)
//   max_repeat       "No character repeated more than N times in a row" (omitted when 0)
//   max_sequence     "No sequences longer than N (abcd, 4321)"          (omitted when 0)
//   valid_utf8       "Only valid UTF-8 text"               (always present)
// Every rule is evaluated even when an earlier one fails, so the time taken
// and the list returned do not depend on which rule fails first.
Checklist check_password(const PasswordConfig& cfg, std::string_view candidate, const PasswordSubject& who,
                         const Blocklist* blocklist);

}  // namespace chorus
