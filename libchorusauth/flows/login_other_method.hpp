// SPDX-License-Identifier: BSD-2-Clause
// "Sign in another way" at the code prompt: a code by SMS, or a voice call
// approved with #, to the phone or the alternate phone. Both go through the
// delivery helper, and only ever to a proven phone (flows/contact_proof.hpp).
// A user whose default method sends something gets it before the prompt.
#pragma once

#include <optional>
#include <string_view>

#include "flows/context.hpp"
#include "flows/deliver.hpp"
#include "flows/method.hpp"
#include "flows/prompter.hpp"
#include "flows/push.hpp"
#include "flows/verify.hpp"

namespace chorus {

// Sends a 6-digit code to the phone of `m` (sms or sms2) and asks for it.
// Accounts without that proven phone (and unknown accounts) see the same
// words and then fail.
Status sign_in_by_sms(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                      VerifyOutcome& outcome, Method m = Method::sms);

// Calls the phone of `m` (call or call2); the helper returns success once
// the callee pressed #. Same words for accounts without that proven phone.
Status sign_in_by_call(Context& ctx, std::string_view user, bool account_exists, Prompter& p,
                       VerifyOutcome& outcome, Method m = Method::call);

// What the login does before its prompt for a user whose default method
// sends something: an SMS code on its way, a call ringing, or a push
// request waiting on the phone.
struct LeadingMethod {
    Method method = Method::app;
    SecretString sms_code;  // the code sent (sms, sms2)
    PendingDelivery call;   // the call placed (call, call2)
    PushTicket push;        // the request made (push)
};

// The default method of `rec` when it sends something and can (its phone
// proven, its channel configured): sends the code or places the call and
// tells the user. nullopt otherwise, and when sending failed (logged; the
// login then asks for a code as usual).
std::optional<LeadingMethod> start_default_method(Context& ctx, std::string_view user, const UserRecord& rec,
                                                  Prompter& p);

// The prompt that goes with it.
std::string leading_prompt(const LeadingMethod& lead);

// Settles the answer to that prompt when it belongs to the leading method:
// the SMS code typed back, or (for a call) an empty answer, after which the
// call's result decides. nullopt when the answer is something else (a code
// from the app, a recovery code, a word): the caller checks it as usual, and
// a call still ringing is ended.
std::optional<Status> settle_leading_answer(Context& ctx, std::string_view user, LeadingMethod& lead,
                                            std::string_view answer, VerifyOutcome& outcome);

}  // namespace chorus
