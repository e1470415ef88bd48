// SPDX-License-Identifier: BSD-2-Clause
// TOTP enrollment: prepare a key, show it, confirm it with a code, save it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

struct EnrollRequest {
    std::string secret_base32;  // empty: generate
    std::optional<HashAlgorithm> algorithm;
    int digits = 0;   // 0: config
    int period = 0;   // 0: config
    int window = -1;  // -1: config (imports carry their own)
};

struct PendingEnrollment {
    std::string user;
    TotpKey key;
    std::string app_name;         // the name the user gives the app ("work phone"); may stay ""
    SecretString uri;             // otpauth:// URI (holds the secret)
    SecretString secret_display;  // base32 in groups of four
};

Result<PendingEnrollment> enrollment_prepare(const Context& ctx, std::string_view user,
                                             const EnrollRequest& req);

// Matched step of code against the pending key, or Errc::bad_code.
Result<std::uint64_t> enrollment_check(const Context& ctx, const PendingEnrollment& e, std::string_view code);

enum class CommitMode {
    replace,               // an admin's or the user's own (re-authenticated) change:
                           // this app becomes the only one (a lost phone's key never survives)
    only_if_unregistered,  // registration at first login: Errc::permission if a
                           // method was registered while the user was typing
    add,                   // one more app beside those registered (flows/apps.hpp)
};

// Saves the key as `mode` says. With a confirmation code, its step is
// recorded as used so the same code can't then open a login.
Status enrollment_commit(Context& ctx, const PendingEnrollment& e, std::string_view code,
                         CommitMode mode = CommitMode::replace);

Result<std::vector<SecretString>> recovery_codes_renew(Context& ctx, std::string_view user);

// Replaces the user's recovery codes with these (e.g. imported scratch codes).
Status recovery_codes_import(Context& ctx, std::string_view user, const std::vector<SecretString>& codes);

}  // namespace chorus
