// SPDX-License-Identifier: BSD-2-Clause
// The login flows for unprivileged callers, answered by chorus-check.
#pragma once

#include <optional>
#include <string_view>

#include "flows/login.hpp"

namespace chorus {

// A store for processes that may not read state: every call is refused, so
// a flow that forgets about delegation fails closed.
std::unique_ptr<Store> make_refusing_store();

Result<LoginResult> delegated_authenticate(Context& ctx, std::string_view user, Prompter& p,
                                           const std::optional<SecretString>& preset_code);

// Only the lockout is checked: registration cannot happen in a screen locker,
// and refusing an unregistered user here would lock them out of a session
// they already opened.
Status delegated_account(Context& ctx, std::string_view user, Prompter& p);

}  // namespace chorus
