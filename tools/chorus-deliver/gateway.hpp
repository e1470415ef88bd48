// SPDX-License-Identifier: BSD-2-Clause
// SMS and voice through the generic HTTP gateway protocol (docs/DELIVERY.md):
//   SMS:   POST sms_url   {"to": "+...", "message": "..."}                    -> 2xx
//   Voice: POST voice_url {"to": "+...", "message": "...", "approve_key": "#"} -> 2xx {"call_id": "..."}
//          GET voice_url/<call_id> every second -> {"status": "approved" | "declined" | ...}
#pragma once

#include <string_view>

#include "deliver.hpp"

namespace chorus_deliver {

Outcome send_sms(const Settings& s, std::string_view to, std::string_view body, const Deadline& d);
Outcome place_call(const Settings& s, std::string_view to, std::string_view body, const Deadline& d);

}  // namespace chorus_deliver
