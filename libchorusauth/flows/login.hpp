// SPDX-License-Identifier: BSD-2-Clause
// The three things a login asks of Chorus, front-end neutral: the second
// factor (auth), the account check with registration at first login
// (account), and the rules for a new password (password).
#pragma once

#include <optional>
#include <string_view>

#include "flows/context.hpp"
#include "flows/password_change.hpp"
#include "flows/prompter.hpp"
#include "flows/qr_text.hpp"

namespace chorus {

enum class LoginResult {
    verified,      // a second factor was proven
    not_required,  // no method registered: the account stage decides (registration or policy)
    failmode,      // store unreachable; let in without a factor by failmode (groups, console)
    break_glass,   // store unreachable; a host-local break-glass code was proven
};

// Asks "Verification code: " (unless preset_code is given) and checks it. The
// configured other-method words (first: SMS, second: voice call) send a code
// or place a call when the user has a phone. Users without any method are
// not asked (not_required); unknown accounts are asked like enrolled ones
// and always fail. While the store is unreachable, failmode decides
// (flows/failmode.hpp). Failures are shown to the user in words that do not
// reveal whether the account exists.
Result<LoginResult> login_authenticate(Context& ctx, std::string_view typed, Prompter& p,
                                       const std::optional<SecretString>& preset_code);

struct AccountOptions {
    QrStyle qr = QrStyle::utf8;
    // The auth stage of this login proved a break-glass code: an unreachable
    // store does not refuse the account.
    bool after_break_glass = false;
    // The front end may show nothing (PAM_SILENT): no registration here.
    bool silent = false;
};

// Runs after the first factor has succeeded (PAM account stage): refuses a
// locked account, and for an account without a method applies the
// enrollment policy, walking the user through registration when it is due.
Status login_account(Context& ctx, std::string_view typed, Prompter& p, const AccountOptions& opts);

// Vets a new password: shows each unmet rule and returns password_rules, or
// success. by_admin: root is setting another user's password (the rules then
// apply only with password.enforce_for_root).
Status login_password(Context& ctx, std::string_view typed, std::string_view gecos, std::string_view password,
                      PasswordMode mode, bool by_admin, Prompter& p);

}  // namespace chorus
