// SPDX-License-Identifier: BSD-2-Clause
// The texts of the push protocol (docs/PUSH.md): serials, nonces, the
// enrollment URI, sign strings, timestamps and the JSON envelope the app
// reads. Pure functions; no state, no keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "util/result.hpp"

namespace chorus {

// "CHPU" + 16 random base32 characters + the user's encoded name: the
// endpoint finds the record from the serial alone, on any store, without an
// index. The phone learns nothing it did not know (it belongs to the user).
Result<std::string> make_push_serial(std::string_view user);
// The user a serial names; nullopt for anything make_push_serial would not make.
std::optional<std::string> push_serial_user(std::string_view serial);

// 20 random bytes as 32 base32 characters (a request's nonce).
Result<std::string> make_push_nonce();
// 20 random bytes as 40 hex digits (the enrollment credential).
Result<std::string> make_push_credential();

// `count` distinct two-digit numbers and the one the login shows.
struct PushOptions {
    std::string joined;  // "47,12,90", the order shown on the phone
    std::string answer;  // "47"
};
Result<PushOptions> draw_push_options(int count);

// otpauth://pipush/<label>?url=...&ttl=...&issuer=...&enrollment_credential=...
//   &v=1&serial=...&sslverify=1&poll_only=True
std::string push_enrollment_uri(const PushConfig& cfg, std::string_view serial, std::string_view credential,
                                std::string_view label);

// <nonce>|<url>|<serial>|<question>|<title>|<sslverify>|<options>
std::string push_challenge_sign_string(std::string_view nonce, std::string_view url, std::string_view serial,
                                       std::string_view question, std::string_view title,
                                       std::string_view options);

// An ISO 8601 UTC or offset time as the app sends it
// ("2026-12-07T10:00:00.123456Z"), to seconds since the epoch.
std::optional<std::int64_t> parse_push_timestamp(std::string_view ts);

std::string json_string(std::string_view s);
// The envelope the app reads: {"jsonrpc": "2.0", ..., "result": {"status":
// true, "value": <value>}[, "detail": <detail>]}.
std::string push_reply_ok(std::string_view value_json, std::string_view detail_json = {});
std::string push_reply_error(int code, std::string_view message);

}  // namespace chorus
