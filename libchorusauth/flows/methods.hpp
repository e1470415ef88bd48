// SPDX-License-Identifier: BSD-2-Clause
// Managing registered methods: the seed's "Security info" page.
#pragma once

#include <string_view>

#include "flows/context.hpp"
#include "flows/prompter.hpp"

namespace chorus {

// method: "app" (the TOTP key), "phone", "phone2", "email" or "recovery". Removing the
// last way to prove a second factor is refused (use unenroll for that), so
// nobody strands themselves by accident.
Status remove_method(Context& ctx, std::string_view user, std::string_view method);

// method: "app", "sms", "call", "sms2" or "call2" (these need the proven
// phone, resp. the proven alternate phone).
Status set_default_method(Context& ctx, std::string_view user, std::string_view method);

}  // namespace chorus
