// SPDX-License-Identifier: BSD-2-Clause
// Registration of a second factor through a Prompter: the seed's "Security
// info" walk-through. The same code runs inside a login (PAM account stage)
// and in chorus-enroll.
#pragma once

#include <string_view>

#include "flows/context.hpp"
#include "flows/prompter.hpp"
#include "flows/qr_text.hpp"

namespace chorus {

struct RegisterOptions {
    bool allow_skip = false;     // Enter at the first question skips (optional policy, grace)
    int code_attempts = 5;       // wrong confirmation codes before giving up
    bool ask_contacts = true;    // offer phone and email
    bool recovery_codes = true;  // make and show a recovery-code set
    QrStyle qr = QrStyle::utf8;
    bool show_qr = true;  // false: key and URI only (e.g. the QR went to a file)
    // Registration at first login: never replace a method registered while
    // the user was typing (the login has proven only the password).
    bool only_if_unregistered = false;
    // When push is enabled: offer approval on the phone instead of an app code.
    bool offer_push = false;
};

enum class RegisterResult {
    registered,
    skipped,
    registered_meanwhile,  // only_if_unregistered: another session registered first; nothing saved
};

// Walks the user through app registration (or, when offered and chosen, the
// registration of a phone for push approval: flows/push_enroll.hpp): QR code, key, URI, a code to
// confirm (nothing is saved until it matches), then optional phone and email,
// then recovery codes shown once. Errors: bad_code after too many wrong codes;
// the Prompter's error when the conversation fails; store errors.
Result<RegisterResult> register_interactively(Context& ctx, std::string_view user, Prompter& p,
                                              const RegisterOptions& opts);

}  // namespace chorus
