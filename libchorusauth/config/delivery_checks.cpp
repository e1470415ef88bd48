// SPDX-License-Identifier: BSD-2-Clause
#include "config/delivery_checks.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "util/log.hpp"

namespace chorus::config_detail {
namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxHeaders = 32;
constexpr std::size_t kMaxHeaderName = 64;
constexpr std::size_t kMaxHeaderValue = 1024;

// Headers chorus-deliver sets itself (Host, Authorization from gateway_auth,
// the body's type and length, Accept, User-Agent, Expect) and the ones that
// frame the message or the connection: another value for any of them would
// change what the request is rather than add to it.
constexpr std::array<std::string_view, 14> kReservedHeaders = {"host",
                                                               "authorization",
                                                               "proxy-authorization",
                                                               "content-type",
                                                               "content-length",
                                                               "accept",
                                                               "user-agent",
                                                               "expect",
                                                               "connection",
                                                               "keep-alive",
                                                               "te",
                                                               "transfer-encoding",
                                                               "trailer",
                                                               "upgrade"};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string placeholder_list(const std::vector<std::string>& allowed) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "{" : ", {") + a + "}";
    return list;
}

// "" when every placeholder of s is among `allowed` and every brace is
// paired ({{ and }} are literal braces); else what is wrong.
std::string template_problem(std::string_view s, const std::vector<std::string>& allowed) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '}') {
            if (i + 1 < s.size() && s[i + 1] == '}') {
                ++i;
                continue;
            }
            return "unmatched '}' (write '}}' for a literal brace)";
        }
        if (s[i] != '{') continue;
        if (i + 1 < s.size() && s[i + 1] == '{') {
            ++i;
            continue;
        }
        std::size_t end = s.find('}', i);
        if (end == std::string_view::npos) return "unclosed '{' (write '{{' for a literal brace)";
        std::string_view name = s.substr(i + 1, end - i - 1);
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            return "unknown placeholder {" + std::string(name) + "} (expected " + placeholder_list(allowed) +
                   ")";
        i = end;
    }
    return "";
}

// RFC 7230 section 3.2.6: token = 1*tchar.
bool is_token(std::string_view s) {
    static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               kSymbols.find(c) != std::string_view::npos;
    });
}

// Checks one "name: value" entry; returns false after reporting a problem.
bool check_header_name(Diagnostics& d, const std::string& field, const YAML::Node& k,
                       std::set<std::string>& seen) {
    if (!k.IsScalar() || d.quote_left_open(k.Mark())) {
        d.add(k.Mark(), field + ": header names must be plain text on one line");
        return false;
    }
    const std::string& name = k.Scalar();
    const std::string shown = "'" + escape_control(name.substr(0, kMaxHeaderName)) + "'";
    if (!is_token(name) || name.size() > kMaxHeaderName) {
        d.add(k.Mark(), field + ": header name " + shown +
                            " is not an HTTP token (1..64 of letters, digits and !#$%&'*+-.^_`|~)");
        return false;
    }
    const std::string key = lower(name);
    if (std::find(kReservedHeaders.begin(), kReservedHeaders.end(), key) != kReservedHeaders.end()) {
        std::string why = key == "authorization" ? " (use gateway_auth and gateway_token_file)" : "";
        d.add(k.Mark(), field + ": header " + shown +
                            " is set by chorus-deliver itself and cannot be configured" + why);
        return false;
    }
    if (!seen.insert(key).second) {
        d.add(k.Mark(), field + ": header " + shown + " is given twice (names are case-insensitive)");
        return false;
    }
    return true;
}

}  // namespace

TextCheck check_template(std::vector<std::string> allowed, std::size_t max_bytes) {
    return [allowed = std::move(allowed), max_bytes](std::string_view s) -> std::string {
        if (s.empty()) return "must not be empty";
        if (s.size() > max_bytes) return "longer than " + std::to_string(max_bytes) + " bytes";
        return template_problem(s, allowed);
    };
}

TextCheck check_gateway_url(std::vector<std::string> allowed) {
    return [allowed = std::move(allowed),
            scheme = check_url_or_empty({"http", "https"})](std::string_view s) -> std::string {
        if (std::string why = scheme(s); !why.empty() || s.empty()) return why;
        if (s.size() > kMaxUrlBytes) return "longer than " + std::to_string(kMaxUrlBytes) + " bytes";
        if (s.find_first_of(" \t") != std::string_view::npos)
            return "spaces are not allowed in a URL (write %20)";
        // The authority ends where the path, query or fragment begins. It is
        // sent as written: a placeholder there would let a value (the text
        // of a message, a recipient) choose where the code goes.
        const std::size_t from = s.find("://") + 3;
        const std::size_t end = std::min(s.find_first_of("/?#", from), s.size());
        std::string_view authority = s.substr(from, end - from);
        if (authority.empty()) return "no host after " + std::string(s.substr(0, from));
        if (authority.find_first_of("{}") != std::string_view::npos)
            return "placeholders are not allowed in the scheme, host or port ('" +
                   escape_control(s.substr(0, std::min(end, std::size_t{128}))) +
                   "'); only the path and query may hold them";
        return template_problem(s.substr(end), allowed);
    };
}

Field gateway_headers_field(std::string key, std::vector<std::pair<std::string, std::string>>* out,
                            std::vector<std::string> allowed) {
    // curl would drop a header whose value is only blanks instead of sending it.
    TextCheck value_check = [tmpl = check_template(std::move(allowed), kMaxHeaderValue)](std::string_view s) {
        return !s.empty() && s.find_first_not_of(' ') == std::string_view::npos ? "must not be blank"
                                                                                : tmpl(s);
    };
    return {std::move(key),
            [out, value_check = std::move(value_check)](Diagnostics& d, const std::string& name,
                                                        const YAML::Node& k, const YAML::Node& v) {
                if (v.IsNull()) {  // "gateway_headers:" with every entry commented out
                    out->clear();
                    return;
                }
                if (!v.IsMap()) {
                    d.add(value_mark(k, v), name +
                                                ": expected a mapping of header names to values, such as "
                                                "{X-Api-Version: \"2\"}");
                    d.failed(name);
                    return;
                }
                if (v.size() > kMaxHeaders) {
                    d.add(value_mark(k, v), name + ": more than " + std::to_string(kMaxHeaders) + " headers");
                    d.failed(name);
                    return;
                }
                std::vector<std::pair<std::string, std::string>> items;
                std::set<std::string> seen;
                bool ok = true;
                for (const auto& pair : v) {
                    const YAML::Node hk = pair.first;  // copies: the iterator's proxy is a temporary
                    const YAML::Node hv = pair.second;
                    if (!check_header_name(d, name, hk, seen)) {
                        ok = false;
                        continue;
                    }
                    // Plain text on one line, no control characters, known placeholders.
                    auto value = read_text(d, name + "." + hk.Scalar(), hk, hv, value_check);
                    if (value)
                        items.emplace_back(hk.Scalar(), std::move(*value));
                    else
                        ok = false;
                }
                if (ok)
                    *out = std::move(items);
                else
                    d.failed(name);
            }};
}

}  // namespace chorus::config_detail
