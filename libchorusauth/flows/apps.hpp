// SPDX-License-Identifier: BSD-2-Clause
// Several authenticator apps per user ("work phone", "tablet"): each with
// its own key and replay state, any of them accepted at login. Adding one
// is an enrollment (flows/enroll.hpp, CommitMode::add).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "flows/context.hpp"

namespace chorus {

struct AppSummary {
    std::string name;  // "" for a first app never named
    TotpParams params;
};

// The user's apps, the first one first; empty when none (Errc::not_found
// when the user has no state).
Result<std::vector<AppSummary>> list_apps(Context& ctx, std::string_view user);

// `which` names an app: its name, or its number in list_apps() order ("1", "2", ...).
Status rename_app(Context& ctx, std::string_view user, std::string_view which, std::string_view new_name);

// Removes one app. The last way to prove a second factor is never removed
// (Errc::permission): the only app without recovery codes stays.
Status remove_app(Context& ctx, std::string_view user, std::string_view which);

// invalid_argument when `name` is not a valid app name (1 to 64 bytes, no
// control character, no space at either end) or another app of rec has it.
Status check_app_name(const UserRecord& rec, std::string_view name);

// The name a new app gets: `wanted` when valid and free, or "app N" for the
// first free N when wanted is "". invalid_argument past kMaxApps apps.
Result<std::string> name_for_new_app(const UserRecord& rec, std::string_view wanted);

}  // namespace chorus
