// SPDX-License-Identifier: BSD-2-Clause
// The second-factor check: a TOTP code or a recovery code for one user.
#pragma once

#include <cstdint>
#include <string_view>

#include "flows/context.hpp"

namespace chorus {

enum class CodeMethod { none, totp, recovery };

struct VerifyOutcome {
    CodeMethod method = CodeMethod::none;
    std::int64_t lock_remaining = 0;  // seconds, when the answer is Errc::locked
};

// Success only when the code matched AND the new state (accepted step,
// consumed recovery code, cleared failures) is durable. Errors:
//   bad_code  wrong code, malformed input, unknown or unenrolled user
//   replay    a TOTP step at or below the last accepted one
//   locked    too many failures (outcome.lock_remaining says how long)
//   io/unsafe_file/corrupt/busy  state could not be read or saved: deny
// Every failure is counted before the answer is returned.
Status verify_code(Context& ctx, std::string_view user, std::string_view code, VerifyOutcome& outcome);

// Settles a check made outside verify_code (an SMS code sent in this
// session, a voice approval): success clears failures; failure counts like a
// wrong code. Errors as verify_code (locked, bad_code, store errors).
Status settle_out_of_band(Context& ctx, std::string_view user, bool matched, VerifyOutcome& outcome);

// How far clocks may disagree and a time still count as "now": hosts of a
// fleet round the database clock to seconds per connection, and a login may
// span a few seconds.
inline constexpr std::int64_t kClockSlack = 300;

// Seconds the user's lockout still runs; 0 when none. A lock that ends more
// than lockout.lock_seconds + kClockSlack from now was written while the
// clock was wrong (a bad NTP step, a database clock) and counts as over: it
// must not keep the user out for months. (Lowering lock_seconds ends longer
// locks already running too.)
std::int64_t lock_remaining(const Context& ctx, const LiveState& live);

// The audit event of a code checked outside a login's conversation (the
// chorus-check helper, chorus_verify_code): one login event, like a login's.
void report_code_check(const Context& ctx, std::string_view user, const Status& st,
                       const VerifyOutcome& outcome);

// Longest code input looked at; anything longer is a wrong code.
inline constexpr std::size_t kMaxCodeInput = 64;

}  // namespace chorus
