// SPDX-License-Identifier: BSD-2-Clause
// Who needs a second factor, and what happens to users without one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

// An account as the system knows it: its own name and its groups (primary
// and supplementary) by name.
struct Account {
    // pw_name, which is what state is keyed on. A directory may resolve more
    // than one spelling to one account (SSSD case_sensitive=false,
    // "alice@DOMAIN"); keyed on the typed name, each spelling would look
    // unregistered and skip the second factor.
    std::string name;
    std::vector<std::string> groups;
};

// The account for a typed user name, or not_found when there is none.
Result<Account> lookup_account(std::string_view user);

// The account's own name for a typed one; the typed name when there is no
// such account (unknown names still go through the same steps).
Result<std::string> canonical_name(std::string_view user);

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
