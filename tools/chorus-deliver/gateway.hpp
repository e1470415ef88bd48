// SPDX-License-Identifier: BSD-2-Clause
// SMS and voice through the generic HTTP gateway protocol (docs/DELIVERY.md):
//   SMS:   POST sms_url   {"to": "+...", "message": "..."}                    -> 2xx
//   Voice: POST voice_url {"to": "+...", "message": "...", "approve_key": "#"} -> 2xx {"call_id": "..."}
//          GET voice_url/<call_id> every second -> {"status": "approved" | "declined" | ...}
// The URLs and delivery.gateway_headers are templates rendered with v
// (gateway_request.hpp); text is the rendered sms_body or voice_message.
#pragma once

#include <string_view>

#include "deliver.hpp"
#include "message_template.hpp"

namespace chorus_deliver {

Outcome send_sms(const Settings& s, const TemplateValues& v, std::string_view text, const Deadline& d);
Outcome place_call(const Settings& s, const TemplateValues& v, std::string_view text, const Deadline& d);

}  // namespace chorus_deliver
