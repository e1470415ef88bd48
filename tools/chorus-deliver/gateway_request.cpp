// SPDX-License-Identifier: BSD-2-Clause
#include "gateway_request.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "common/secret.hpp"

namespace chorus_deliver {
namespace {

void wipe(std::string& s) {
    chorus_tools::wipe(s.data(), s.size());
    s.clear();
}

// Where the path, query or fragment of a URL begins: everything before is
// the scheme and the authority (user, host, port), which are never rendered.
// chorus_config_validate has refused placeholders there.
std::size_t authority_end(std::string_view url) {
    std::size_t sep = url.find("://");
    std::size_t from = sep == std::string_view::npos ? 0 : sep + 3;
    return std::min(url.find_first_of("/?#", from), url.size());
}

// The placeholder values, percent-encoded for a URL; wiped when done.
struct EncodedValues {
    std::string to, message, host;
    ~EncodedValues() {
        wipe(to);
        wipe(message);
        wipe(host);
    }
    bool encode(const TemplateValues& v) {
        return percent_encode(to, v.to) && percent_encode(message, v.message) && percent_encode(host, v.host);
    }
    [[nodiscard]] TemplateValues values() const { return {message, {}, to, host}; }
};

// RFC 7230 field-value: no control characters except horizontal tab. This
// is what keeps a value from ending the header and starting another.
bool header_value_ok(std::string_view v) {
    return std::none_of(v.begin(), v.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

// delivery.gateway_auth on one transfer. curl keeps its own copy of the
// secret for the lifetime of the handle.
bool apply_auth(Transfer& t, const Settings& s) {
    CURL* h = t.get();
    switch (s.gateway_auth) {
    case GatewayAuth::none:
        return true;
    case GatewayAuth::basic:
        return curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)) == CURLE_OK &&
               curl_easy_setopt(h, CURLOPT_USERPWD, s.gateway_secret.c_str()) == CURLE_OK;
    case GatewayAuth::bearer:
        return curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER)) == CURLE_OK &&
               curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, s.gateway_secret.c_str()) == CURLE_OK;
    }
    return false;
}

}  // namespace

bool percent_encode(std::string& out, std::string_view s) {
    if (s.empty()) return true;
    // The handle argument is ignored since curl 7.82 (we need 7.85 anyway).
    char* enc = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
    if (enc == nullptr) return false;
    std::size_t n = std::strlen(enc);
    out.append(enc, n);
    chorus_tools::wipe(enc, n);
    curl_free(enc);
    return true;
}

GatewayRequest::~GatewayRequest() {
    wipe(url_);
    wipe(call_url_);
    for (std::string& h : headers_) wipe(h);
}

Outcome GatewayRequest::prepare(const Settings& s, const std::string& url_template, const TemplateValues& v) {
    settings_ = &s;
    for (const auto& [name, value_template] : s.gateway_headers) {
        std::string value;
        render_template(value_template, v, value);
        bool ok = header_value_ok(value);
        if (ok) {
            std::string& line = headers_.emplace_back();
            line.reserve(name.size() + 2 + value.size());
            line.append(name).append(": ").append(value);
        }
        wipe(value);
        if (!ok)
            return {kBadRequest, "header " + name +
                                     " (delivery.gateway_headers) would hold CR, LF or another control "
                                     "character; nothing was sent"};
    }
    EncodedValues encoded;
    if (!encoded.encode(v)) return {kNetwork, "cannot encode the URL"};
    const std::size_t split = authority_end(url_template);
    std::string tail;
    render_template(std::string_view(url_template).substr(split), encoded.values(), tail);
    wipe(url_);
    url_.reserve(split + tail.size());
    url_.append(url_template, 0, split).append(tail);
    wipe(tail);
    return go_on();
}

void GatewayRequest::set_call(std::string_view call_id) {
    const std::string_view url = url_;
    const std::size_t split = authority_end(url);
    // Placeholder values are percent-encoded: the first '?' or '#' after the
    // host is the template's own.
    const std::size_t query = std::min(url.find_first_of("?#", split), url.size());
    std::size_t path_end = query;
    while (path_end > split && url[path_end - 1] == '/') --path_end;
    wipe(call_url_);
    call_url_.reserve(url.size() + 1 + call_id.size());
    call_url_.append(url.substr(0, path_end)).append("/").append(call_id).append(url.substr(query));
}

bool GatewayRequest::apply(Transfer& t) const {
    if (settings_ == nullptr || !apply_auth(t, *settings_)) return false;
    return std::all_of(headers_.begin(), headers_.end(),
                       [&t](const std::string& h) { return t.header(h.c_str()); });
}

}  // namespace chorus_deliver
