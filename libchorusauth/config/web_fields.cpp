// SPDX-License-Identifier: BSD-2-Clause
// The web: section, read by chorus-web's privileged broker. The public base
// URL is configuration because links in pages and mails must never be built
// from a request's Host header, which the client chooses.
#include <arpa/inet.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/yaml_fields.hpp"

namespace chorus::config_detail {
namespace {

std::string check_listen_address(std::string_view s) {
    std::string text(s);
    unsigned char buf[sizeof(struct in6_addr)];
    if (::inet_pton(AF_INET, text.c_str(), buf) == 1 || ::inet_pton(AF_INET6, text.c_str(), buf) == 1)
        return "";
    return "must be an IPv4 or IPv6 address (e.g. 127.0.0.1)";
}

// http(s)://host[:port][/path], no query, fragment, user or placeholder:
// it is copied into pages and Location headers as it is.
std::string check_base_url(std::string_view s) {
    if (s.empty()) return "";
    if (std::string why = check_url_or_empty({"http", "https"})(s); !why.empty()) return why;
    if (s.size() > 256) return "longer than 256 bytes";
    const bool plain = std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
               c == '/' || c == '.' || c == '-' || c == '_' || c == '[' || c == ']';
    });
    if (!plain) return "only letters, digits and : / . - _ [ ] (no query, fragment or user)";
    const std::size_t from = s.find("://") + 3;
    if (from >= s.size() || s[from] == '/') return "no host";
    if (s.back() == '/') return "write it without the trailing /";
    return "";
}

std::string check_account_name(std::string_view s) {
    if (s.empty() || s.size() > 32) return "must be 1..32 characters";
    const bool ok = std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    return ok && s[0] != '-' ? "" : "must be a system account name (a-z 0-9 _ -)";
}

// The app signs and checks the URL as it prints it back after parsing, so
// only a canonical form is accepted (docs/PUSH.md, 2.3): https, lower-case
// host, no query, no escapes, no default port.
std::string check_push_url(std::string_view s) {
    if (s.empty()) return "";
    if (std::string why = check_base_url(s); !why.empty()) return why;
    if (s.substr(0, 8) != "https://") return "must be an https:// URL (the app refuses plain http)";
    const std::string_view host =
        s.substr(8, s.find('/', 8) == std::string_view::npos ? std::string_view::npos : s.find('/', 8) - 8);
    if (std::any_of(host.begin(), host.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        return "write the host in lower case";
    if (host.size() >= 4 && host.substr(host.size() - 4) == ":443") return "leave out the default port :443";
    return "";
}

std::string check_title(std::string_view s) {
    if (s.empty() || s.size() > 64) return "must be 1..64 characters";
    const bool ok = std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '|' && c != ',';
    });
    return ok ? "" : "no control character, '|' or ','";
}

}  // namespace

std::vector<Field> push_fields(PushConfig& c) {
    return {bool_field("enabled", &c.enabled),
            text_field("url", &c.url, check_push_url),
            text_field("key_file", &c.key_file, check_absolute_path_or_empty),
            text_field("title", &c.title, check_title),
            int_field("timeout", &c.timeout, 10, 300),
            int_field("enroll_minutes", &c.enroll_minutes, 1, 60),
            int_field("options", &c.options, 2, 10),
            int_field("max_requests", &c.max_requests, 1, 15),
            int_field("window", &c.window, 60, 86400)};
}

std::vector<Field> web_fields(WebConfig& c) {
    return {text_field("listen_address", &c.listen_address, check_listen_address),
            int_field("port", &c.port, 1, 65535),
            text_field("base_url", &c.base_url, check_base_url),
            text_field("pam_service", &c.pam_service, check_account_name),
            text_field("user", &c.user, check_account_name),
            int_field("session_idle", &c.session_idle, 60, 3600),
            int_field("max_sessions", &c.max_sessions, 1, 10000),
            int_field("requests_per_minute", &c.requests_per_minute, 1, 100000),
            int_field("account_attempts_per_hour", &c.account_attempts_per_hour, 1, 10000),
            bool_field("trusted_proxy", &c.trusted_proxy),
            int_field("request_timeout", &c.request_timeout, 2, 300),
            bool_field("metrics", &c.metrics)};
}

std::vector<Field> audit_fields(AuditConfig& c) {
    return {bool_field("journal", &c.journal),
            text_field("counters", &c.counters, check_absolute_path_or_empty)};
}

}  // namespace chorus::config_detail
