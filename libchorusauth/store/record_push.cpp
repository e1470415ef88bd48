// SPDX-License-Identifier: BSD-2-Clause
#include "store/record_push.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "store/record_text.hpp"

namespace chorus {
namespace {

constexpr std::array<std::string_view, 6> kStates = {"open",  "accepted", "declined",
                                                     "wrong", "used",     "cancelled"};

bool token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == ':';
}

// Letters, digits and ". - _ :", 1..max bytes.
bool plain_token(std::string_view s, std::size_t max) {
    return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), token_char);
}

bool base64_token(std::string_view s) {
    return !s.empty() && s.size() <= 2048 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
               c == '/' || c == '=';
    });
}

bool hex_token(std::string_view s, std::size_t len) {
    return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool base32_token(std::string_view s, std::size_t len) {
    return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
           });
}

// "47,12,90": 2..10 distinct options of 1..2 characters (digits or A-Z).
bool options_ok(std::string_view s, std::string_view answer) {
    std::vector<std::string_view> seen;
    std::size_t from = 0;
    while (from <= s.size()) {
        const std::size_t comma = std::min(s.find(',', from), s.size());
        const std::string_view o = s.substr(from, comma - from);
        if (o.empty() || o.size() > 2 ||
            !std::all_of(o.begin(), o.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'); }) ||
            std::find(seen.begin(), seen.end(), o) != seen.end())
            return false;
        seen.push_back(o);
        from = comma + 1;
    }
    return seen.size() >= 2 && seen.size() <= 10 && std::find(seen.begin(), seen.end(), answer) != seen.end();
}

bool serial_ok(std::string_view s) {
    return plain_token(s, 300);
}

bool device_ok(const PushDevice& d) {
    return serial_ok(d.serial) && base64_token(d.app_key) && d.enrolled_at > 0;
}

bool pending_ok(const PushEnrollment& p) {
    return serial_ok(p.serial) && hex_token(p.credential_hash, 64) && p.expires_at > 0 &&
           (p.app_key.empty() || base64_token(p.app_key));
}

bool request_ok(const PushRequest& r) {
    return base32_token(r.nonce, 32) && serial_ok(r.serial) && r.created_at > 0 &&
           r.expires_at >= r.created_at &&
           std::find(kStates.begin(), kStates.end(), r.state) != kStates.end() &&
           options_ok(r.options, r.answer) && plain_token(r.host, 64) && plain_token(r.rhost, 64);
}

// Splits v into exactly n space-separated fields.
template <std::size_t N>
bool split_fields(std::string_view v, std::array<std::string_view, N>& f) {
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t sp = i + 1 < N ? v.find(' ') : v.size();
        if (sp == std::string_view::npos) return false;
        f[i] = v.substr(0, sp);
        v.remove_prefix(i + 1 < N ? sp + 1 : sp);
    }
    return std::none_of(f.begin(), f.end(),
                        [](std::string_view x) { return x.find(' ') != std::string_view::npos; });
}

void put_fields(SecretString::Storage& out, std::string_view key,
                std::initializer_list<std::string_view> fields) {
    std::string line;
    for (std::string_view f : fields) {
        if (!line.empty()) line += ' ';
        line += f;
    }
    put_line(out, key, line);
}

}  // namespace

bool parse_push_device_line(std::string_view v, UserRecord& rec) {
    std::array<std::string_view, 3> f;
    PushDevice d;
    if (!split_fields(v, f) || !parse_i64(f[1], d.enrolled_at) || rec.push_devices.size() >= kMaxPushDevices)
        return false;
    d.serial = f[0];
    d.app_key = f[2];
    if (!device_ok(d)) return false;
    rec.push_devices.push_back(std::move(d));
    return true;
}

bool parse_push_pending_line(std::string_view v, UserRecord& rec) {
    std::array<std::string_view, 4> f;
    PushEnrollment p;
    if (!split_fields(v, f) || !parse_i64(f[2], p.expires_at)) return false;
    p.serial = f[0];
    p.credential_hash = f[1];
    if (f[3] != "-") p.app_key = f[3];
    if (!pending_ok(p)) return false;
    rec.push_pending = std::move(p);
    return true;
}

bool parse_push_request_line(std::string_view v, UserRecord& rec) {
    std::array<std::string_view, 9> f;
    PushRequest r;
    if (!split_fields(v, f) || !parse_i64(f[2], r.created_at) || !parse_i64(f[3], r.expires_at) ||
        rec.push_requests.size() >= kMaxPushRequests)
        return false;
    r.nonce = f[0];
    r.serial = f[1];
    r.state = f[4];
    r.options = f[5];
    r.answer = f[6];
    r.host = f[7];
    r.rhost = f[8];
    if (!request_ok(r)) return false;
    rec.push_requests.push_back(std::move(r));
    return true;
}

Status validate_push(const UserRecord& rec) {
    if (rec.push_devices.size() > kMaxPushDevices)
        return make_error(Errc::invalid_argument, "too many push devices");
    if (rec.push_requests.size() > kMaxPushRequests)
        return make_error(Errc::invalid_argument, "too many push requests");
    for (const PushDevice& d : rec.push_devices)
        if (!device_ok(d)) return make_error(Errc::invalid_argument, "bad push device");
    if (rec.push_pending && !pending_ok(*rec.push_pending))
        return make_error(Errc::invalid_argument, "bad pending push registration");
    for (const PushRequest& r : rec.push_requests)
        if (!request_ok(r)) return make_error(Errc::invalid_argument, "bad push request");
    return ok_status();
}

void put_push_lines(SecretString::Storage& out, const UserRecord& rec) {
    for (const PushDevice& d : rec.push_devices)
        put_fields(out, "push.device", {d.serial, std::to_string(d.enrolled_at), d.app_key});
    if (rec.push_pending) {
        const PushEnrollment& p = *rec.push_pending;
        put_fields(
            out, "push.pending",
            {p.serial, p.credential_hash, std::to_string(p.expires_at), p.app_key.empty() ? "-" : p.app_key});
    }
    for (const PushRequest& r : rec.push_requests)
        put_fields(out, "push.request",
                   {r.nonce, r.serial, std::to_string(r.created_at), std::to_string(r.expires_at), r.state,
                    r.options, r.answer, r.host, r.rhost});
}

bool has_push(const UserRecord& rec) {
    return !rec.push_devices.empty() || rec.push_pending.has_value() || !rec.push_requests.empty();
}

std::string push_token_text(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += token_char(c) ? c : '_';
    return out.empty() ? "-" : out;
}

}  // namespace chorus
