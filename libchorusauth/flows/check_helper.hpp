// SPDX-License-Identifier: BSD-2-Clause
// Non-root callers (screen lockers run PAM as the user) cannot read
// /var/lib/chorus. They ask the setuid helper chorus-check, which acts only
// for the invoking user (its real uid). Both ends of that protocol live here:
// the caller's (run_check_helper) and the helper's (serve_check_request).
//
// Request, on the helper's stdin:  "probe\n" | "account\n" | "verify\n<code>\n"
// Answer: the exit status (CheckStatus) and one line on stdout,
//   "chorus-check <op> <status word> <seconds locked>\n"
// An answer counts only when the helper exited normally, its status is one
// the operation can have, and the line names the same operation and status.
// Anything else (a crash, a signal, a reaped child, garbage, /bin/true at the
// helper's path) is CheckStatus::failure: deny.
#pragma once

#include <cstdint>
#include <string_view>

#include "flows/context.hpp"

namespace chorus {

enum class CheckOp { probe, account, verify };

enum class CheckStatus : int {
    ok = 0,            // verify: code accepted; probe: has a method; account: not locked
    bad_code = 1,      // verify
    replay = 2,        // verify
    locked = 3,        // verify, account
    not_enrolled = 4,  // probe, account: no method registered
    failure = 10,      // anything else: deny
};

struct CheckAnswer {
    CheckStatus status = CheckStatus::failure;
    std::int64_t lock_remaining = 0;
};

// Caller side: runs the helper and reads its answer. An error, or an answer
// whose status is failure, is a denial.
Result<CheckAnswer> run_check_helper(const Context& ctx, CheckOp op, std::string_view code);

// Helper side: reads one request from in_fd, answers for `user`, writes the
// answer line to out_fd and returns the exit status to use.
CheckStatus serve_check_request(Context& ctx, std::string_view user, int in_fd, int out_fd);

// The answer as the helper writes it, and as the caller accepts it (exposed
// for the tests of both ends).
std::string encode_check_answer(CheckOp op, const CheckAnswer& a);
CheckAnswer decode_check_answer(CheckOp op, int exit_status, std::string_view line);

// Where the helper is installed.
const char* check_helper_path();

}  // namespace chorus
