// SPDX-License-Identifier: BSD-2-Clause
// Self-service password reset (the seed's "Forgot password"): identify by
// user name or registered email, prove the emailed 6-digit code, prove a
// second registered method, then the caller sets the password through PAM
// and calls reset_finish. Unknown and unregistered accounts walk the same
// steps with the same answers and nothing is ever sent to them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"
#include "flows/prompter.hpp"

namespace chorus {

struct ResetSession {
    std::string identifier;  // as typed (for the audit log)
    std::string user;        // empty when the account can't reset
    std::string reset_id;    // binds the stored code to this session
    bool email_verified = false;
    bool second_verified = false;
    // This session's own send requests, kept in memory for everyone: the only
    // throttle the requester is ever told about, so unknown accounts look alike.
    std::vector<std::int64_t> sends;
    int attempts = 0;
};

Result<ResetSession> reset_start(Context& ctx, std::string_view identifier);

// Sends a fresh code (a re-send invalidates the previous one). Errors:
// rate_limited (wait_seconds says how long), locked. rate_limited comes only
// from this session's own requests; when the account's limits across
// sessions refuse a send, nothing is sent and the answer is still success.
Status reset_send_code(Context& ctx, ResetSession& s, std::int64_t& wait_seconds);

// Errors: bad_code, expired, locked.
Status reset_check_code(Context& ctx, ResetSession& s, std::string_view code);

// The second methods the account can use: "app", "sms", "call". Empty until
// the emailed code was proven.
std::vector<std::string> reset_methods(Context& ctx, const ResetSession& s);

Status reset_second_factor(Context& ctx, ResetSession& s, std::string_view method, Prompter& p);

// After the password was set: clears the pending reset, the failure counter
// and any lockout. Only after both proofs.
Status reset_finish(Context& ctx, ResetSession& s);

}  // namespace chorus
