// SPDX-License-Identifier: BSD-2-Clause
// chorus-deliver: the one process that talks to mail servers and SMS/voice
// gateways, so that login processes never load libcurl (docs/DELIVERY.md).
// Shared types of its parts: exit codes, settings, the request, deadlines.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus_deliver {

// The exit status is the whole answer to the caller (see chorus-deliver(8)).
enum Exit : int {
    kDelivered = 0,   // sent; for voice, the callee approved
    kRefused = 1,     // the server/gateway refused, or the callee declined
    kBadRequest = 2,  // malformed request on stdin or bad command line
    kConfig = 3,      // configuration missing, unsafe, invalid, or channel not configured
    kNetwork = 4,     // connection, TLS, protocol or timeout failure
};

// What a step produced: an exit code and a reason that is safe to log (it
// never holds the body or the full recipient). A default Outcome is a
// failure: success is only ever said with go_on() or an explicit kDelivered.
inline constexpr int kDefaultOutcome = kNetwork;
static_assert(kDefaultOutcome != kDelivered, "a default Outcome must not read as success");
struct Outcome {
    int exit = kDefaultOutcome;
    std::string reason;
};

// Success of a step: go on (and, for the last step, "delivered").
inline Outcome go_on() {
    return {kDelivered, {}};
}

enum class SmsFormat { json, form };
enum class GatewayAuth { none, basic, bearer };

// The delivery settings, as the request gives them (settings.hpp). No
// defaults here: the library's configuration is the one source, and a
// request that leaves a setting out is refused.
struct Settings {
    Settings() = default;
    Settings(const Settings&) = delete;
    Settings& operator=(const Settings&) = delete;
    ~Settings();  // wipes gateway_secret

    int timeout = 0;  // seconds, 1..300
    std::string smtp_url;
    std::string email_from;
    // URL templates: {to}, {message}, {host} after the host, percent-encoded.
    std::string sms_url;
    std::string voice_url;
    // Templates (docs/DELIVERY.md, "Templates"); validated by the library.
    std::string email_subject;
    std::string email_body;
    std::string sms_body;
    std::string voice_message;
    SmsFormat sms_format = SmsFormat::json;
    std::string sms_field_to;
    std::string sms_field_message;
    GatewayAuth gateway_auth = GatewayAuth::none;
    std::string gateway_token_file;
    // The contents of gateway_token_file ("user:password" or the bearer
    // token), read with the caller's rights before privileges are dropped.
    std::string gateway_secret;
    // gateway_header lines: name and value template, in file order.
    std::vector<std::pair<std::string, std::string>> gateway_headers;
    // delivery.command and the channels it serves (docs/DELIVERY.md).
    std::string command;
    std::vector<std::string> command_channels;
};

enum class Channel { email, sms, voice };

const char* channel_name(Channel c);

// A monotonic point in time after which no network call may run.
class Deadline {
public:
    explicit Deadline(std::chrono::milliseconds budget) : end_(std::chrono::steady_clock::now() + budget) {}
    // Milliseconds left, at least 0.
    [[nodiscard]] long remaining_ms() const;
    [[nodiscard]] bool passed() const { return remaining_ms() <= 0; }

private:
    std::chrono::steady_clock::time_point end_;
};

}  // namespace chorus_deliver
