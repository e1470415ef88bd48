// SPDX-License-Identifier: BSD-2-Clause
#include "gateway.hpp"

#include <time.h>

#include <algorithm>

#include "common/secret.hpp"
#include "curl_handle.hpp"
#include "gateway_request.hpp"
#include "json.hpp"
#include "log.hpp"

namespace chorus_deliver {
namespace {

constexpr long kPollIntervalMs = 1000;
constexpr long kCancelMs = 300;  // best-effort DELETE of an unanswered call

// The request body; it holds the code, so it is wiped when done. Reserved
// up front so that appending never leaves a stale copy behind.
class Payload {
public:
    // The voice request (always JSON, fixed member names).
    Payload(std::string_view to, std::string_view body) {
        text_.reserve(64 + to.size() * 6 + body.size() * 6);
        text_ = "{\"to\": ";
        json_append_string(text_, to);
        text_ += ", \"message\": ";
        json_append_string(text_, body);
        text_ += ", \"approve_key\": \"#\"";
        text_ += "}";
    }
    // The SMS request: delivery.sms_format with the delivery.sms_fields names.
    Payload(const Settings& s, std::string_view to, std::string_view body)
        : form_(s.sms_format == SmsFormat::form) {
        const std::string& fto = s.sms_field_to;
        const std::string& fmsg = s.sms_field_message;
        text_.reserve(64 + (fto.size() + fmsg.size() + to.size() + body.size()) * 6);
        if (form_) {
            // application/x-www-form-urlencoded, every byte but A-Za-z0-9-._~ as %XX.
            ok_ = percent_encode(text_, fto) && percent_encode(text_.append("="), to) &&
                  percent_encode(text_.append("&"), fmsg) && percent_encode(text_.append("="), body);
            return;
        }
        text_ = "{";
        json_append_string(text_, fto);
        text_ += ": ";
        json_append_string(text_, to);
        text_ += ", ";
        json_append_string(text_, fmsg);
        text_ += ": ";
        json_append_string(text_, body);
        text_ += "}";
    }
    [[nodiscard]] bool form() const { return form_; }
    [[nodiscard]] bool ok() const { return ok_; }
    ~Payload() { chorus_tools::wipe(text_.data(), text_.size()); }
    Payload(const Payload&) = delete;
    Payload& operator=(const Payload&) = delete;
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    std::string text_;
    bool form_ = false;
    bool ok_ = true;
};

Outcome network(std::string reason) {
    return {kNetwork, std::move(reason)};
}

// POST payload to the request's URL. On success t holds the answer.
Outcome post(Transfer& t, const GatewayRequest& g, const Payload& p) {
    if (!t.ok()) return network("cannot create a curl handle");
    if (!p.ok()) return network("cannot encode the request");
    const char* type =
        p.form() ? "Content-Type: application/x-www-form-urlencoded" : "Content-Type: application/json";
    if (!t.header(type) || !t.header("Accept: application/json") || !t.header("Expect:"))
        return network("cannot set up the request");
    if (!g.apply(t)) return network("cannot set up gateway authentication and headers");
    CURL* h = t.get();
    // POSTFIELDS (not COPYPOSTFIELDS): curl reads our buffer, keeps no copy.
    if (curl_easy_setopt(h, CURLOPT_URL, g.url().c_str()) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(p.text().size())) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, p.text().c_str()) != CURLE_OK)
        return network("cannot set up the request");
    CURLcode rc = t.perform();
    if (rc != CURLE_OK) return network("gateway unreachable: " + t.error(rc));
    long status = t.response_code();
    if (status < 200 || status > 299) return {kRefused, "gateway answered HTTP " + std::to_string(status)};
    return go_on();
}

bool valid_call_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
               c == '_' || c == '.' || c == '~';
    });
}

// A final status word, or nullptr while the call is still going on.
const Outcome* final_status(const std::string& status) {
    static const Outcome approved{kDelivered, "approved"};
    static const Outcome declined{kRefused, "declined"};
    static const Outcome failed{kRefused, "call failed"};
    static const Outcome no_answer{kRefused, "no answer"};
    if (status == "approved") return &approved;
    if (status == "declined") return &declined;
    if (status == "failed") return &failed;
    if (status == "no-answer") return &no_answer;
    return nullptr;
}

void sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec ts {
        ms / 1000, (ms % 1000) * 1000000L
    };
    while (nanosleep(&ts, &ts) != 0) {
    }
}

void cancel_call(const GatewayRequest& g) {
    Transfer t("http,https", kCancelMs);
    if (!t.ok() || !g.apply(t)) return;
    if (curl_easy_setopt(t.get(), CURLOPT_URL, g.call_url().c_str()) != CURLE_OK ||
        curl_easy_setopt(t.get(), CURLOPT_CUSTOMREQUEST, "DELETE") != CURLE_OK)
        return;
    (void)t.perform();
}

}  // namespace

Outcome send_sms(const Settings& s, const TemplateValues& v, std::string_view text, const Deadline& d) {
    GatewayRequest g;
    if (Outcome o = g.prepare(s, s.sms_url, v); o.exit != kDelivered) return o;
    Payload p(s, v.to, text);
    Transfer t("http,https", d.remaining_ms());
    Outcome o = post(t, g, p);
    if (o.exit == kDelivered) o.reason = "delivered";
    return o;
}

Outcome place_call(const Settings& s, const TemplateValues& v, std::string_view text, const Deadline& d) {
    GatewayRequest g;
    if (Outcome o = g.prepare(s, s.voice_url, v); o.exit != kDelivered) return o;
    {
        Payload p(v.to, text);
        Transfer t("http,https", d.remaining_ms());
        Outcome o = post(t, g, p);
        if (o.exit != kDelivered) return o;
        auto members = json_string_members(t.body());
        if (!members) return network("gateway answer is not a JSON object");
        // A gateway may answer at once ({"status": "approved"}).
        if (auto st = members->find("status"); st != members->end())
            if (const Outcome* fin = final_status(st->second)) return *fin;
        auto id = members->find("call_id");
        if (id == members->end() || !valid_call_id(id->second))
            return network("gateway answer has no valid call_id");
        g.set_call(id->second);
    }
    log_debug("call placed, polling for the answer");
    std::string last = "no answer from the gateway before the timeout";
    for (;;) {
        sleep_ms(std::min(kPollIntervalMs, d.remaining_ms()));
        if (d.passed()) break;
        Transfer t("http,https", d.remaining_ms());
        if (!t.ok() || curl_easy_setopt(t.get(), CURLOPT_URL, g.call_url().c_str()) != CURLE_OK ||
            !t.header("Accept: application/json") || !g.apply(t))
            return network("cannot set up the request");
        CURLcode rc = t.perform();
        long status = rc == CURLE_OK ? t.response_code() : 0;
        if (rc != CURLE_OK) {
            last = "status poll failed: " + t.error(rc);  // transient: keep polling until the deadline
        } else if (status < 200 || status > 299) {
            last = "status poll answered HTTP " + std::to_string(status);
        } else if (auto members = json_string_members(t.body()); !members) {
            last = "status answer is not a JSON object";
        } else if (auto st = members->find("status"); st != members->end()) {
            if (const Outcome* fin = final_status(st->second)) return *fin;
            last = "timed out while the call was still in progress";
        }
        log_debug("poll: %s", last.c_str());
    }
    cancel_call(g);
    return network(last);
}

}  // namespace chorus_deliver
