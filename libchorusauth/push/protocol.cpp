// SPDX-License-Identifier: BSD-2-Clause
#include "push/protocol.hpp"

#include <ctime>

#include "otp/base32.hpp"
#include "otp/uri_text.hpp"
#include "store/store.hpp"
#include "util/secure.hpp"

namespace chorus {
namespace {

constexpr std::string_view kSerialPrefix = "CHPU";
constexpr std::size_t kSerialRandom = 16;

bool is_base32_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
}

// Reads exactly n digits at s[at...].
bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

}  // namespace

Result<std::string> make_push_serial(std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(std::string stem, encode_username(user));
    // The serial travels unescaped in the QR code's URI and in sign strings:
    // a name that needs %-escapes in its file name cannot be one.
    if (stem.find('%') != std::string::npos)
        return make_error(Errc::unsupported, "push needs a user name of letters, digits and . _ - only");
    std::uint8_t raw[10];
    if (!random_bytes(raw, sizeof raw)) return make_error(Errc::internal, "no randomness");
    const SecretString b32 = base32_encode(raw, sizeof raw);
    return std::string(kSerialPrefix) + std::string(b32.view().substr(0, kSerialRandom)) + stem;
}

std::optional<std::string> push_serial_user(std::string_view serial) {
    const std::size_t head = kSerialPrefix.size() + kSerialRandom;
    if (serial.size() <= head || serial.substr(0, kSerialPrefix.size()) != kSerialPrefix) return std::nullopt;
    for (char c : serial.substr(kSerialPrefix.size(), kSerialRandom))
        if (!is_base32_char(c)) return std::nullopt;
    auto user = decode_username(serial.substr(head));
    if (!user.ok()) return std::nullopt;
    return *user;
}

Result<std::string> make_push_nonce() {
    std::uint8_t raw[20];
    if (!random_bytes(raw, sizeof raw)) return make_error(Errc::internal, "no randomness");
    return std::string(base32_encode(raw, sizeof raw).view());
}

Result<std::string> make_push_credential() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint8_t raw[20];
    if (!random_bytes(raw, sizeof raw)) return make_error(Errc::internal, "no randomness");
    std::string out;
    for (std::uint8_t b : raw) {
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    secure_wipe(raw, sizeof raw);
    return out;
}

Result<PushOptions> draw_push_options(int count) {
    if (count < 2 || count > 10) return make_error(Errc::invalid_argument, "push options must be 2..10");
    std::vector<int> picked;
    while (picked.size() < static_cast<std::size_t>(count)) {
        std::uint8_t r = 0;
        if (!random_bytes(&r, 1)) return make_error(Errc::internal, "no randomness");
        if (r >= 200) continue;  // 200 = 2 x 100: no bias towards low numbers
        const int n = r % 100;
        bool seen = false;
        for (int p : picked) seen = seen || p == n;
        if (!seen) picked.push_back(n);
    }
    std::uint8_t r = 0;
    do {
        if (!random_bytes(&r, 1)) return make_error(Errc::internal, "no randomness");
    } while (r >= 250 - 250 % count);
    PushOptions out;
    for (int n : picked) {
        if (!out.joined.empty()) out.joined += ',';
        out.joined += static_cast<char>('0' + n / 10);
        out.joined += static_cast<char>('0' + n % 10);
    }
    const int a = picked[static_cast<std::size_t>(r % count)];
    out.answer = {static_cast<char>('0' + a / 10), static_cast<char>('0' + a % 10)};
    return out;
}

std::string push_enrollment_uri(const PushConfig& cfg, std::string_view serial, std::string_view credential,
                                std::string_view label) {
    std::string uri = "otpauth://pipush/" + percent_encode(label);
    uri += "?url=" + percent_encode(cfg.url);
    uri += "&ttl=" + std::to_string(cfg.enroll_minutes);
    uri += "&issuer=" + percent_encode(cfg.title);
    uri += "&enrollment_credential=" + std::string(credential);
    uri += "&v=1&serial=" + std::string(serial);
    uri += "&sslverify=1&poll_only=True";
    return uri;
}

std::string push_challenge_sign_string(std::string_view nonce, std::string_view url, std::string_view serial,
                                       std::string_view question, std::string_view title,
                                       std::string_view options) {
    std::string s;
    for (std::string_view part : {nonce, url, serial, question, title, std::string_view("1"), options}) {
        if (!s.empty()) s += '|';
        s += part;
    }
    return s;
}

std::optional<std::int64_t> parse_push_timestamp(std::string_view ts) {
    struct tm t {};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (ts.size() < 19 || !digits(ts, 0, 4, y) || ts[4] != '-' || !digits(ts, 5, 2, mo) || ts[7] != '-' ||
        !digits(ts, 8, 2, d) || (ts[10] != 'T' && ts[10] != ' ') || !digits(ts, 11, 2, h) || ts[13] != ':' ||
        !digits(ts, 14, 2, mi) || ts[16] != ':' || !digits(ts, 17, 2, sec))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::size_t at = 19;
    if (at < ts.size() && ts[at] == '.') {
        ++at;
        const std::size_t from = at;
        while (at < ts.size() && ts[at] >= '0' && ts[at] <= '9') ++at;
        if (at == from || at - from > 9) return std::nullopt;
    }
    std::int64_t offset = 0;
    // No zone (UTC, as privacyIDEA reads it) or "Z"; else an offset.
    const bool utc = at == ts.size() || ts.substr(at) == "Z";
    if (!utc && (ts[at] == '+' || ts[at] == '-')) {
        int oh = 0, om = 0;
        if (ts.size() != at + 6 || !digits(ts, at + 1, 2, oh) || ts[at + 3] != ':' ||
            !digits(ts, at + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = std::int64_t{ts[at] == '+' ? 1 : -1} * (std::int64_t{oh} * 3600 + std::int64_t{om} * 60);
    } else if (!utc) {
        return std::nullopt;
    }
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    t.tm_sec = sec;
    const time_t epoch = timegm(&t);
    if (epoch == static_cast<time_t>(-1)) return std::nullopt;
    return static_cast<std::int64_t>(epoch) - offset;
}

std::string json_string(std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string push_reply_ok(std::string_view value_json, std::string_view detail_json) {
    std::string out = R"({"jsonrpc": "2.0", "id": 1, "time": )" + std::to_string(std::time(nullptr)) +
                      R"(.0, "version": "chorus", "result": {"status": true, "value": )" +
                      std::string(value_json) + "}";
    if (!detail_json.empty()) out += R"(, "detail": )" + std::string(detail_json);
    return out + "}";
}

std::string push_reply_error(int code, std::string_view message) {
    return R"({"jsonrpc": "2.0", "id": 1, "time": )" + std::to_string(std::time(nullptr)) +
           R"(.0, "version": "chorus", "result": {"status": false, "error": {"code": )" +
           std::to_string(code) + R"(, "message": )" + json_string(message) + "}}}";
}

}  // namespace chorus
