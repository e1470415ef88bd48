// SPDX-License-Identifier: BSD-2-Clause
// What every HTTP request of one SMS or voice delivery carries, rendered
// before anything is sent (docs/DELIVERY.md, "The HTTP gateway protocol"):
// the URL (delivery.sms_url or voice_url, placeholders percent-encoded, the
// scheme, host and port copied as written), the extra headers
// (delivery.gateway_headers) and the authentication (delivery.gateway_auth).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "curl_handle.hpp"
#include "deliver.hpp"
#include "message_template.hpp"

namespace chorus_deliver {

// Appends s percent-encoded with curl_easy_escape (RFC 3986: A-Z a-z 0-9
// - . _ ~ as they are, every other byte as %XX); curl's copy is wiped. False
// when out of memory.
bool percent_encode(std::string& out, std::string_view s);

class GatewayRequest {
public:
    GatewayRequest() = default;
    ~GatewayRequest();  // wipes: the URL and the headers may hold the message
    GatewayRequest(const GatewayRequest&) = delete;
    GatewayRequest& operator=(const GatewayRequest&) = delete;

    // Renders url_template and s.gateway_headers with v. A header value that
    // would hold CR, LF, NUL or another control character (tab aside) is
    // refused with kBadRequest: nothing may be sent then.
    Outcome prepare(const Settings& s, const std::string& url_template, const TemplateValues& v);
    [[nodiscard]] const std::string& url() const { return url_; }

    // A placed call: its URL is url() with "/<call_id>" appended to the path
    // (trailing slashes dropped first), the query kept.
    void set_call(std::string_view call_id);
    [[nodiscard]] const std::string& call_url() const { return call_url_; }

    // Authentication and the extra headers on one transfer.
    [[nodiscard]] bool apply(Transfer& t) const;

private:
    const Settings* settings_ = nullptr;
    std::string url_;
    std::string call_url_;
    std::vector<std::string> headers_;  // "Name: value"
};

}  // namespace chorus_deliver
