// SPDX-License-Identifier: BSD-2-Clause
// Sending codes: the library never opens a network connection itself. It
// starts the delivery helper (delivery.helper, chorus-deliver) with an empty
// environment and writes the request on its stdin.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "flows/context.hpp"

namespace chorus {

enum class Channel { email, sms, voice };

const char* channel_name(Channel c);

// Whether the configuration gives `c` a way out: its URL, or the command channel.
bool channel_configured(const DeliveryConfig& dc, Channel c);

// The request on the helper's stdin (docs/DELIVERY.md, "Request"): header
// lines "key: value" in any order, a blank line, the body.
//   channel: sms|email|voice
//   to: <E.164 number or address>
//   subject: <text>            (email)
//   and every delivery setting the library validated (settings_header), so
//   that the helper reads no configuration of its own
//   <blank line>
//   <body>
SecretString delivery_request(const DeliveryConfig& dc, Channel channel, std::string_view to,
                              std::string_view subject, std::string_view body);
// The settings lines of the request, each "key: value\n"; values escaped
// ("\\" for a backslash, "\n" for a newline). gateway_header and
// command_channel repeat; every other key is written exactly once.
std::string delivery_settings_header(const DeliveryConfig& dc);

// Runs the helper with delivery_request(). Exit status 0 means delivered
// (for voice: the callee approved with #). Anything else, a crash or the
// timeout (delivery.timeout) is an error.
Status deliver(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
               std::string_view body);

// chorusctl test-delivery: a fixed test message on channel ("email", "sms",
// "voice") to `to`, validated as a registration would. Errc::unsupported
// when the channel is not configured.
Status delivery_test(const Context& ctx, std::string_view channel, std::string_view to);

// The same, without waiting: the helper runs in a detached grandchild and
// failures are only logged. For answers whose timing must not depend on
// whether anything was sent (password reset of an unknown account).
void deliver_detached(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                      std::string_view body);

// A delivery running in a child process while the login asks its question
// (a call placed before the code prompt). The child and the helper it
// starts form their own process group; destroying the object without
// wait() ends them.
class PendingDelivery {
public:
    PendingDelivery() = default;
    PendingDelivery(const PendingDelivery&) = delete;
    PendingDelivery& operator=(const PendingDelivery&) = delete;
    PendingDelivery(PendingDelivery&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
    PendingDelivery& operator=(PendingDelivery&& other) noexcept {
        if (this != &other) {
            cancel();
            pid_ = other.pid_;
            other.pid_ = -1;
        }
        return *this;
    }
    ~PendingDelivery() { cancel(); }
    // Waits for the result: what deliver() would have answered.
    Status wait();
    // Hangs up: ends the child and its helper, and reaps them.
    void cancel();

private:
    friend Result<PendingDelivery> deliver_in_background(const Context&, Channel, std::string_view,
                                                         std::string_view, std::string_view);
    pid_t pid_ = -1;
};

Result<PendingDelivery> deliver_in_background(const Context& ctx, Channel channel, std::string_view to,
                                              std::string_view subject, std::string_view body);

}  // namespace chorus
