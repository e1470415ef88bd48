// SPDX-License-Identifier: BSD-2-Clause
// Non-root callers (screen lockers run PAM as the user) cannot read
// /var/lib/chorus. They ask the setuid helper chorus-check, which acts only
// for the invoking user (its real uid) and reads the request from a pipe.
#pragma once

#include <cstdint>
#include <string_view>

#include "flows/context.hpp"

namespace chorus {

// chorus-check exit statuses: the protocol between library and helper.
enum class CheckStatus : int {
    ok = 0,            // verify: code accepted; probe: has a method; account: not locked
    bad_code = 1,
    replay = 2,
    locked = 3,        // stdout: seconds left
    not_enrolled = 4,  // probe/verify: no method registered
    failure = 10,      // anything else: deny
};

struct CheckAnswer {
    CheckStatus status = CheckStatus::failure;
    std::int64_t lock_remaining = 0;
};

// Runs the helper with request "probe\n", "account\n" or "verify\n<code>\n".
Result<CheckAnswer> run_check_helper(const Context& ctx, std::string_view op, std::string_view code);

// Where the helper is installed.
const char* check_helper_path();

}  // namespace chorus
