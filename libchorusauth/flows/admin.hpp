// SPDX-License-Identifier: BSD-2-Clause
// Administrative operations: status, unlock, unenroll, list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

struct UserStatus {
    bool has_method = false;  // UserRecord::has_method(): what a login asks a code for
    bool has_totp = false;
    bool has_push = false;         // a phone registered for push approval
    std::int64_t first_seen = 0;   // first login seen without a method (grace starts)
    std::int64_t grace_left = -1;  // seconds of grace left; 0 over; -1 not in grace
    TotpParams params;
    int recovery_left = 0;
    std::uint32_t failures = 0;
    std::int64_t lock_remaining = 0;
    std::int64_t last_success_at = 0;
    std::int64_t enrolled_at = 0;
    std::string phone, email, phone2, default_method;
    bool phone_proven = false, email_proven = false, phone2_proven = false;
};

// An unreadable record: one that exists but does not parse or verify
// (Errc::corrupt: bit rot, a key sealed with a lost or rotated seal key) or
// holds a sealed key while no seal key is configured (Errc::config).
bool record_unreadable(const Error& e);
// txn.record(), but an unreadable record's error names the way out
// (`chorusctl unenroll USER --all`): the admin reads it, and nothing else
// may discard the record to get past it.
Result<std::optional<UserRecord>> read_record(UserTxn& txn, std::string_view user);

Result<UserStatus> user_status(Context& ctx, std::string_view user);  // Errc::not_found if none
// Clears the lockout; with an unreadable record too (it only rewrites the
// live state), warning that logins fail until the record is removed.
Status user_unlock(Context& ctx, std::string_view user);
// Removes methods and live state; keeps password history unless `all`.
// `all` also removes an unreadable record, unread; without `all` that is an
// error, since the history to keep cannot be read.
Status user_unenroll(Context& ctx, std::string_view user, bool all);
Result<std::vector<std::string>> user_list(Context& ctx);
// nullopt leaves a field unchanged; "" clears it. Values are stored as not
// proven (flows/contact_proof.hpp), except a value stored again unchanged.
Status user_set_contact(Context& ctx, std::string_view user, std::optional<std::string_view> phone,
                        std::optional<std::string_view> email);

}  // namespace chorus
