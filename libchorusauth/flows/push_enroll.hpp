// SPDX-License-Identifier: BSD-2-Clause
// Registering a phone for push approval (docs/PUSH.md, section 1): a QR
// code with a one-time credential, the app's key arriving at chorus-web's
// broker, then a test request the phone must approve. The phone becomes a
// method only after that approval, as in the seed ("On your mobile device
// hit Approve").
#pragma once

#include <string>
#include <string_view>

#include "flows/context.hpp"
#include "flows/prompter.hpp"
#include "flows/qr_text.hpp"

namespace chorus {

// The first step on its own, for front ends that draw the QR code
// themselves (chorus-web): stores the pending registration and returns the
// otpauth://pipush URI. Replaces a registration not yet finished.
Result<std::string> push_enroll_begin(Context& ctx, std::string_view user);

// The whole registration through a prompter: the QR code (style qr, or the
// URI only when show_qr is false), the wait for the app, the test request.
// Errc::expired when the app did not register in time; Errc::bad_code when
// the test request was declined, answered wrongly or not answered.
// only_if_unregistered (registration at first login): Errc::permission,
// nothing saved, when another method was registered meanwhile.
Status push_register(Context& ctx, std::string_view user, Prompter& p, QrStyle qr, bool show_qr,
                     bool only_if_unregistered = false);

// After push_enroll_begin: waits for the app's registration and the test
// request, then saves the phone (what push_register does after the QR code).
Status push_enroll_finish(Context& ctx, std::string_view user, Prompter& p,
                          bool only_if_unregistered = false);

}  // namespace chorus
