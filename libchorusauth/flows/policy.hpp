// SPDX-License-Identifier: BSD-2-Clause
// Who needs a second factor, and what happens to users without one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

// The account's groups (primary and supplementary) by name, or not_found
// when the account does not exist.
Result<std::vector<std::string>> account_groups(std::string_view user);

enum class Obligation {
    must_register,  // no method; registration due now (required, or grace over)
    may_register,   // no method; registration offered (optional, or inside grace)
    exempt,         // no method, and none needed (nullok, group rules)
};

struct UnenrolledVerdict {
    Obligation obligation = Obligation::must_register;
    std::int64_t grace_left = 0;  // seconds, with may_register under grace
};

// For a user without a method: what the policy asks. first_seen is when the
// user was first seen without registration (0 = now).
UnenrolledVerdict unenrolled_verdict(const Context& ctx, const std::vector<std::string>& groups,
                                     std::int64_t first_seen);

}  // namespace chorus
