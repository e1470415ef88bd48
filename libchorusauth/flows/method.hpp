// SPDX-License-Identifier: BSD-2-Clause
// The names of methods, in one table for the whole library: records, the
// configuration and the C API carry these names; code inside compares enums.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "flows/deliver.hpp"

namespace chorus {

// A way to prove a second factor at the code prompt, and what a user may
// choose as the default: "app" (a code from the app, or a recovery code),
// "sms" (a code sent to the phone), "call" (a call approved with #), and
// "sms2", "call2": the same through the alternate phone; "push": a request
// approved in the privacyIDEA Authenticator app (flows/push.hpp).
enum class Method { app, sms, call, sms2, call2, push };

// What a user has registered and may remove: "app" (the TOTP key), "phone",
// "phone2" (the alternate phone), "email", "recovery" (the recovery codes),
// "push" (the phone registered for push approval).
enum class Registration { app, phone, phone2, email, recovery, push };

// Which registered phone a method that sends something reaches.
enum class PhoneSlot { primary, alternate };

std::optional<Method> parse_method(std::string_view name);
std::string_view method_name(Method m);
std::optional<Registration> parse_registration(std::string_view name);

// The delivery channel of a method that sends something (sms, call, sms2, call2).
std::optional<Channel> channel_of(Method m);
// The phone such a method reaches; nullopt for the app.
std::optional<PhoneSlot> phone_slot_of(Method m);

// The word a user types at the code prompt to switch to m
// (enrollment.other_method_words: the SMS word, the call word, then the
// same two for the alternate phone); empty when none is configured.
std::string_view other_method_word(const EnrollmentConfig& cfg, Method m);

// The methods that send something, in the order of other_method_words.
inline constexpr Method kSendingMethods[] = {Method::sms, Method::call, Method::sms2, Method::call2};

}  // namespace chorus
