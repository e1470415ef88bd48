// SPDX-License-Identifier: BSD-2-Clause
// Logins while the state store cannot be reached (Errc::unavailable: the
// fleet database is down). The default is to deny. failmode (chorus.yaml)
// may let in members of listed groups or logins on a local console without a
// second factor, and a host-local store of break-glass codes lets named
// accounts (root) prove a factor that does not depend on the database.
// Every admission is logged at warning level with its reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"
#include "flows/login.hpp"
#include "flows/prompter.hpp"
#include "util/secure.hpp"

namespace chorus {

// Whether a PAM_TTY (with or without "/dev/") is a console by the patterns.
bool is_console_tty(const std::vector<std::string>& patterns, std::string_view tty);

// Whether a non-root caller could stop or signal this process (any of the
// real, effective or saved uids is not root).
bool caller_can_signal_us();

// Why failmode lets user in without a second factor ("group wheel",
// "console tty1"), or nothing: never in a process its caller can signal.
// groups: the account's groups.
std::optional<std::string> failmode_admits(const Context& ctx, const std::vector<std::string>& groups);

// Whether the host has a break-glass store configured.
bool break_glass_configured(const Context& ctx);

// Checks code against user's break-glass codes in the host-local store and
// consumes it. bad_code when it does not match (or none is configured).
Status break_glass_verify(Context& ctx, std::string_view user, std::string_view code);

// Makes a new set of break-glass codes for user in the host-local store
// (replacing the old set); the plaintext codes are returned once.
Result<std::vector<SecretString>> break_glass_renew(Context& ctx, std::string_view user);

// When failmode admits the account (groups): logs it, tells the user, true.
bool admit_by_failmode(Context& ctx, std::string_view user, const std::vector<std::string>& groups,
                       Prompter& p, const Error& cause);

// The auth stage met an unreachable store (cause) after the user typed code.
// groups: the account's groups, or nullptr for an unknown account. Admits by
// failmode or by a break-glass code; otherwise tells the user and returns
// cause.
Result<LoginResult> authenticate_unreachable(Context& ctx, std::string_view user,
                                             const std::vector<std::string>* groups, Prompter& p,
                                             std::string_view code, const Error& cause);

// The account stage met an unreachable store: success only when failmode
// admits the account or its auth stage proved a break-glass code.
Status account_unreachable(Context& ctx, std::string_view user, const std::vector<std::string>& groups,
                           bool after_break_glass, const Error& cause);

}  // namespace chorus
