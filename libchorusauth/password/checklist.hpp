// SPDX-License-Identifier: BSD-2-Clause
// Password rules. The checker evaluates every rule and returns the whole
// checklist (met and unmet), so a front end can show progress as the user types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace chorus {

class Blocklist;

struct RuleResult {
    std::string id;    // stable identifier: "min_length", "max_length", "classes",
                       // "no_username", "not_blocklisted", "max_repeat", "max_sequence", "history"
    std::string text;  // human text: "At least 8 characters"
    bool met = false;
};

struct Checklist {
    std::vector<RuleResult> rules;
    bool ok() const {
        for (const auto& r : rules)
            if (!r.met) return false;
        return true;
    }
};

struct PasswordSubject {
    std::string_view username;
    std::string_view gecos;  // full GECOS field; name parts split on commas and spaces
};

// Evaluates every configured rule (history is added by the caller, see
// history.hpp). blocklist may be null (no blocklist configured).
Checklist check_password(const PasswordConfig& cfg, std::string_view candidate,
                         const PasswordSubject& who, const Blocklist* blocklist);

}  // namespace chorus
