// SPDX-License-Identifier: BSD-2-Clause
// "Sign in another way" at the code prompt: a code by SMS, or a voice call
// approved with #. Both go through the delivery helper.
#pragma once

#include <string_view>

#include "flows/context.hpp"
#include "flows/prompter.hpp"
#include "flows/verify.hpp"

namespace chorus {

// Sends a 6-digit code to the registered phone and asks for it. Accounts
// without a phone (and unknown accounts) see the same words and then fail.
Status sign_in_by_sms(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                      VerifyOutcome& outcome);

// Calls the registered phone; the helper returns success once the callee
// pressed #. Same words for accounts without a phone.
Status sign_in_by_call(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                       VerifyOutcome& outcome);

}  // namespace chorus
