// SPDX-License-Identifier: BSD-2-Clause
// Push approval, the waiting side (docs/PUSH.md): a login (or a reset, or
// the test of a new phone) puts a request into the user's record and polls
// the store until chorus-web's broker has written the phone's verified
// answer. The host never holds a signing key and never talks to the phone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flows/context.hpp"
#include "flows/prompter.hpp"
#include "flows/verify.hpp"

namespace chorus {

// A request this process made and waits for: the nonce is held only here,
// so the request lets in this login and nothing else.
struct PushTicket {
    std::string user;
    std::string nonce;
    std::string answer;  // the number the user must pick on the phone
    std::int64_t expires_at = 0;
};

// Whether push can be used for rec: enabled, and a phone registered.
bool push_usable(const Context& ctx, const UserRecord& rec);

// Makes a request for user's phone (serial: the device's, or the phone being
// registered when `to_pending`). Refused with Errc::rate_limited past
// push.max_requests in push.window (logged: someone may be pushing in the
// hope of a careless tap), Errc::locked while the user is locked out,
// Errc::not_enrolled without a phone.
Result<PushTicket> push_request_start(Context& ctx, std::string_view user, bool to_pending = false);

enum class PushAnswer { accepted, declined, wrong, expired };

// Polls the store once a second until the request is answered or expires,
// then closes it: an accepted request becomes "used" (it lets in one login),
// an open one "cancelled". `wait` false: looks once, for a request whose
// waiting was cut short (the user typed something else).
Result<PushAnswer> push_request_finish(Context& ctx, const PushTicket& t, bool wait = true);

// The message that goes with a request.
std::string push_prompt(const PushTicket& t);

// Push as a second factor where no code may be typed instead (a reset, a
// check after the user chose "push"): request, prompt, wait, settle like a
// code (a refusal counts as a failure).
Status push_second_factor(Context& ctx, std::string_view user, Prompter& p, VerifyOutcome& outcome);

// Settles a finished request as verify_code() would: accepted counts as a
// success, anything else as a wrong code.
Status settle_push_answer(Context& ctx, std::string_view user, Result<PushAnswer> answer,
                          VerifyOutcome& outcome);

}  // namespace chorus
