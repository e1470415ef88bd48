// SPDX-License-Identifier: BSD-2-Clause
#include "email.hpp"

#include <sys/random.h>
#include <time.h>

#include <cstdio>
#include <cstring>

#include "common/secret.hpp"
#include "curl_handle.hpp"
#include "request.hpp"

namespace chorus_deliver {
namespace {

constexpr std::string_view kDefaultSubject = "Chorus verification code";
constexpr std::size_t kMaxLine = 998;

// RFC 5322 date in UTC, spelled out so that no locale is involved.
std::string rfc5322_date() {
    static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t now = time(nullptr);
    struct tm tm {};
    gmtime_r(&now, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

std::string message_id(std::string_view from) {
    unsigned char rnd[16] = {};
    if (getrandom(rnd, sizeof rnd, 0) != static_cast<ssize_t>(sizeof rnd)) {
        auto t = static_cast<unsigned long long>(time(nullptr));
        std::memcpy(rnd, &t, sizeof t);
    }
    std::string id = "<";
    char hex[3];
    for (unsigned char b : rnd) {
        std::snprintf(hex, sizeof hex, "%02x", b);
        id += hex;
    }
    return id + "@" + std::string(from.substr(from.find('@') + 1)) + ">";
}

std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
    }
    return out;
}

// Plain ASCII subjects are written as they are; anything else as RFC 2047
// encoded words of at most 45 input bytes (cut between UTF-8 characters),
// folded onto continuation lines.
std::string encode_subject(std::string_view s) {
    bool plain = s.find("=?") == s.npos;
    for (char c : s) plain = plain && static_cast<unsigned char>(c) < 0x80;
    if (plain) return std::string(s);
    std::string out;
    while (!s.empty()) {
        std::size_t n = std::min<std::size_t>(45, s.size());
        while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(s.substr(0, n)) + "?=";
        s.remove_prefix(n);
    }
    return out;
}

// Feeds the message to curl (which dot-stuffs it) without copying it.
struct Reader {
    std::string_view rest;
    static size_t read(char* buf, size_t size, size_t n, void* self) {
        auto* r = static_cast<Reader*>(self);
        size_t len = std::min(size * n, r->rest.size());
        std::memcpy(buf, r->rest.data(), len);
        r->rest.remove_prefix(len);
        return len;
    }
};

// Credentials in the URL must never cross the network in clear text.
bool url_has_credentials(const std::string& url) {
    CURLU* u = curl_url();
    if (u == nullptr) return true;
    char* user = nullptr;
    bool has = curl_url_set(u, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK;
    curl_free(user);
    curl_url_cleanup(u);
    return has;
}

}  // namespace

std::string compose_email(std::string_view from, std::string_view to, std::string_view subject,
                          std::string_view body) {
    std::string msg;
    msg.reserve(2048 + subject.size() * 3 + body.size() * 2);
    msg += "Date: " + rfc5322_date() + "\r\n";
    msg += "From: " + std::string(from) + "\r\n";
    msg += "To: " + std::string(to) + "\r\n";
    msg += "Subject: " + encode_subject(subject.empty() ? kDefaultSubject : subject) + "\r\n";
    msg += "Message-ID: " + message_id(from) + "\r\n";
    msg += "MIME-Version: 1.0\r\n";
    msg += "Content-Type: text/plain; charset=UTF-8\r\n";
    msg += "Content-Transfer-Encoding: 8bit\r\n";
    msg += "Auto-Submitted: auto-generated\r\n";
    msg += "\r\n";
    std::size_t line = 0;
    for (char c : body) {
        if (c == '\n') {
            msg += "\r\n";
            line = 0;
            continue;
        }
        if (++line > kMaxLine) {
            chorus_tools::wipe(msg.data(), msg.size());
            return {};
        }
        msg += c;
    }
    if (!body.empty() && body.back() != '\n') msg += "\r\n";
    return msg;
}

Outcome send_email(const Settings& s, std::string_view to, std::string_view subject, std::string_view body,
                   const Deadline& d) {
    if (!is_email_address(s.email_from)) return {kConfig, "delivery.email_from is not a plain address"};
    std::string msg = compose_email(s.email_from, to, subject, body);
    struct Wiper {
        std::string& s;
        ~Wiper() { chorus_tools::wipe(s.data(), s.size()); }
    } wiper{msg};
    if (msg.empty()) return {kBadRequest, "a body line is longer than 998 bytes"};

    Transfer t("smtp,smtps", d.remaining_ms());
    if (!t.ok()) return {kNetwork, "cannot create a curl handle"};
    std::string mail_from = "<" + s.email_from + ">", rcpt = "<" + std::string(to) + ">";
    SlistPtr rcpts(curl_slist_append(nullptr, rcpt.c_str()));
    Reader reader{msg};
    CURL* h = t.get();
    // smtps:// is implicit TLS whatever CURLOPT_USE_SSL says; for smtp://,
    // STARTTLS when offered, and mandatory when a password would be sent.
    long use_ssl = url_has_credentials(s.smtp_url) ? CURLUSESSL_ALL : CURLUSESSL_TRY;
    if (!rcpts || curl_easy_setopt(h, CURLOPT_URL, s.smtp_url.c_str()) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str()) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts.get()) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_READFUNCTION, &Reader::read) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_READDATA, &reader) != CURLE_OK ||
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(msg.size())) != CURLE_OK)
        return {kNetwork, "cannot set up the SMTP transfer"};
    CURLcode rc = t.perform();
    if (rc == CURLE_OK) return {kDelivered, "delivered"};
    long reply = t.response_code();
    if (reply >= 400 || !is_network_failure(rc))
        return {kRefused, "mail server refused (" + std::to_string(reply) + "): " + t.error(rc)};
    return {kNetwork, "mail server unreachable: " + t.error(rc)};
}

}  // namespace chorus_deliver
