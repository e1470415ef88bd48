// SPDX-License-Identifier: BSD-2-Clause
#include "request.hpp"

#include "settings.hpp"

#include <unistd.h>

#include <cerrno>

namespace chorus_deliver {
namespace {

Outcome bad(std::string reason) {
    return {kBadRequest, std::move(reason)};
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Decodes one UTF-8 sequence at s[i]; returns its length or 0 when invalid
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::size_t utf8_char(std::string_view s, std::size_t i, unsigned& cp) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned c = b(0);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return 0;
    cp = len == 1 ? c : c & (0x7fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

bool parse_channel(std::string_view v, Channel& out) {
    if (v == "email")
        out = Channel::email;
    else if (v == "sms")
        out = Channel::sms;
    else if (v == "voice")
        out = Channel::voice;
    else
        return false;
    return true;
}

}  // namespace

const char* channel_name(Channel c) {
    switch (c) {
    case Channel::email:
        return "email";
    case Channel::sms:
        return "sms";
    case Channel::voice:
        return "voice";
    }
    return "unknown";
}

bool is_e164(std::string_view s) {
    // '+', a country code not starting with 0, at most 15 digits in all.
    if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
    for (std::size_t i = 1; i < s.size(); ++i)
        if (!is_digit(s[i])) return false;
    return true;
}

bool is_email_address(std::string_view s) {
    // A deliberately narrow subset of RFC 5321 mailboxes: dot-atom local part
    // and a host name; no quoting, comments, IP literals or non-ASCII.
    auto at = s.find('@');
    if (s.size() > 254 || at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= s.size())
        return false;
    std::string_view local = s.substr(0, at), domain = s.substr(at + 1);
    static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~.";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != local.npos) return false;
    for (char c : local)
        if (!is_alnum(c) && kAtext.find(c) == kAtext.npos) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= domain.size(); ++i) {
        if (i == domain.size() || domain[i] == '.') {
            if (label == 0 || label > 63 || domain[i - 1] == '-' || domain[i - label] == '-') return false;
            label = 0;
        } else if (is_alnum(domain[i]) || domain[i] == '-') {
            ++label;
        } else {
            return false;
        }
    }
    return true;
}

bool is_clean_text(std::string_view s, bool multiline) {
    for (std::size_t i = 0; i < s.size();) {
        unsigned cp = 0;
        std::size_t len = utf8_char(s, i, cp);
        if (len == 0) return false;
        bool allowed_ws = multiline && (cp == '\n' || cp == '\t');
        if (!allowed_ws && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))) return false;
        i += len;
    }
    return true;
}

Outcome read_request(int fd, Request& out) {
    auto raw = std::make_unique<chorus_tools::SecretBuffer>(kMaxRequest + 1);
    char chunk[512];
    for (;;) {
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return bad("cannot read the request");
        if (n == 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (raw->size() >= kMaxRequest) {
                chorus_tools::wipe(chunk, sizeof chunk);
                return bad("request longer than 64 KiB");
            }
            (void)raw->append(chunk[i]);
        }
    }
    chorus_tools::wipe(chunk, sizeof chunk);
    return parse_request(std::move(raw), out);
}

Outcome parse_request(std::unique_ptr<chorus_tools::SecretBuffer> raw, Request& out) {
    std::string_view text = raw->view();
    if (text.find('\0') != text.npos) return bad("request contains a NUL byte");
    auto end = text.find("\n\n");
    if (end == text.npos) return bad("no blank line after the header lines");
    std::string_view head = text.substr(0, end + 1);
    bool have_channel = false, have_to = false, have_subject = false;
    SettingsReader settings(out.settings);
    while (!head.empty()) {
        auto nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        head.remove_prefix(nl + 1);
        auto colon = line.find(": ");
        if (colon == line.npos) return bad("header line without \"key: value\"");
        std::string_view key = line.substr(0, colon), value = line.substr(colon + 2);
        bool setting = false;
        if (Outcome o = settings.add(key, value, setting); o.exit != kDelivered) return o;
        if (setting) continue;
        bool* seen = key == "channel"   ? &have_channel
                     : key == "to"      ? &have_to
                     : key == "subject" ? &have_subject
                                        : nullptr;
        if (seen == nullptr) return bad("unknown header line (expected channel, to, subject or a setting)");
        if (!is_clean_text(value, false))
            return bad("control character or invalid UTF-8 in '" + std::string(key) + "'");
        if (*seen) return bad("header '" + std::string(key) + "' given twice");
        *seen = true;
        if (key == "channel" && !parse_channel(value, out.channel))
            return bad("unknown channel (expected email, sms, voice)");
        if (key == "to") out.to = value;
        if (key == "subject") out.subject = value;
    }
    if (!have_channel || !have_to) return bad("'channel' and 'to' are required");
    if (Outcome o = settings.finish(); o.exit != kDelivered) return o;
    if (out.subject.size() > kMaxSubject) return bad("subject longer than 256 bytes");
    bool to_ok = out.channel == Channel::email ? is_email_address(out.to) : is_e164(out.to);
    if (!to_ok)
        return bad(out.channel == Channel::email ? "'to' is not an email address"
                                                 : "'to' is not an E.164 number (+ and 7 to 15 digits)");
    out.body = text.substr(end + 2);
    if (out.body.empty()) return bad("empty body");
    if (!is_clean_text(out.body, true)) return bad("control character or invalid UTF-8 in the body");
    out.raw = std::move(raw);
    return go_on();
}

std::string Request::plain() const {
    return std::string("channel: ") + channel_name(channel) + "\nto: " + to + "\nsubject: " + subject +
           "\n\n" + std::string(body);
}

}  // namespace chorus_deliver
