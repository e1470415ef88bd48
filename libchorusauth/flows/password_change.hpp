// SPDX-License-Identifier: BSD-2-Clause
// Password checks with the user's history, and recording a new password.
#pragma once

#include <string_view>

#include "flows/context.hpp"
#include "password/checklist.hpp"

namespace chorus {

enum class PasswordMode { change, reset };

// Every configured rule plus, when the user has history and history is on,
// a "history" rule. An unreadable blocklist or history is an error (no
// silent pass).
Result<Checklist> password_checklist(Context& ctx, std::string_view typed, std::string_view gecos,
                                     std::string_view candidate, PasswordMode mode);

// Hashes password (argon2id) into the user's history, newest first.
Status password_record(Context& ctx, std::string_view typed, std::string_view password);

}  // namespace chorus
