// SPDX-License-Identifier: BSD-2-Clause
// Administrative operations: status, unlock, unenroll, list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

struct UserStatus {
    bool has_totp = false;
    TotpParams params;
    int recovery_left = 0;
    std::uint32_t failures = 0;
    std::int64_t lock_remaining = 0;
    std::int64_t last_success_at = 0;
    std::int64_t enrolled_at = 0;
    std::string phone, email, default_method;
};

Result<UserStatus> user_status(Context& ctx, std::string_view user);   // Errc::not_found if none
Status user_unlock(Context& ctx, std::string_view user);
// Removes methods and live state; keeps password history unless `all`.
Status user_unenroll(Context& ctx, std::string_view user, bool all);
Result<std::vector<std::string>> user_list(Context& ctx);
// nullopt leaves a field unchanged; "" clears it.
Status user_set_contact(Context& ctx, std::string_view user, std::optional<std::string_view> phone,
                        std::optional<std::string_view> email);

}  // namespace chorus
