// SPDX-License-Identifier: BSD-2-Clause
// Sending codes: the library never opens a network connection itself. It
// starts the delivery helper (delivery.helper, chorus-deliver) with an empty
// environment and writes the request on its stdin.
#pragma once

#include <string_view>

#include "flows/context.hpp"

namespace chorus {

enum class Channel { email, sms, voice };

const char* channel_name(Channel c);

// Whether the configuration gives `c` a way out: its URL, or the command channel.
bool channel_configured(const DeliveryConfig& dc, Channel c);

// Request on the helper's stdin:
//   channel: sms|email|voice
//   to: <E.164 number or address>
//   subject: <text>            (email)
//   <blank line>
//   <body>
// Exit status 0 means delivered (for voice: the callee approved with #).
// Anything else, a crash or the timeout (delivery.timeout) is an error.
Status deliver(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
               std::string_view body);

// The same, without waiting: the helper runs in a detached grandchild and
// failures are only logged. For answers whose timing must not depend on
// whether anything was sent (password reset of an unknown account).
void deliver_detached(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                      std::string_view body);

}  // namespace chorus
