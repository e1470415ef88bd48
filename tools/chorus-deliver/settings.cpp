// SPDX-License-Identifier: BSD-2-Clause
#include "settings.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "common/secret.hpp"
#include "request.hpp"

namespace chorus_deliver {
namespace {

Outcome bad(std::string reason) {
    return {kBadRequest, std::move(reason)};
}

Outcome config_error(std::string reason) {
    return {kConfig, std::move(reason)};
}

// The library's escaping: "\\" and "\n"; any other backslash is refused.
bool unescape(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '\\') {
            out += in[i];
            continue;
        }
        if (++i == in.size()) return false;
        if (in[i] == '\\')
            out += '\\';
        else if (in[i] == 'n')
            out += '\n';
        else
            return false;
    }
    return true;
}

constexpr const char* kSingleKeys[] = {
    "timeout",      "smtp_url",           "email_from",    "sms_url",    "voice_url",    "email_subject",
    "email_body",   "sms_body",           "voice_message", "sms_format", "sms_field_to", "sms_field_message",
    "gateway_auth", "gateway_token_file", "command"};

bool is_template(std::string_view key) {
    return key == "email_body" || key == "sms_body" || key == "voice_message";
}

constexpr off_t kMaxTokenBytes = 4096;

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

Outcome SettingsReader::add(std::string_view key, std::string_view escaped, bool& known) {
    const bool single =
        std::find(std::begin(kSingleKeys), std::end(kSingleKeys), key) != std::end(kSingleKeys);
    known = single || key == "gateway_header" || key == "command_channel";
    if (!known) return go_on();
    const std::string name(key);
    std::string v;
    if (!unescape(escaped, v)) return bad("bad escape in '" + name + "'");
    if (!is_clean_text(v, is_template(key)))
        return bad("control character or invalid UTF-8 in '" + name + "'");
    if (single) {
        if (std::find(seen_.begin(), seen_.end(), name) != seen_.end())
            return bad("setting '" + name + "' given twice");
        seen_.push_back(name);
    }
    if (key == "timeout") {
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out_.timeout);
        if (ec != std::errc() || end != v.data() + v.size() || out_.timeout < 1 || out_.timeout > 300)
            return bad("timeout out of range (1..300)");
    } else if (key == "smtp_url") {
        out_.smtp_url = v;
    } else if (key == "email_from") {
        out_.email_from = v;
    } else if (key == "sms_url") {
        out_.sms_url = v;
    } else if (key == "voice_url") {
        out_.voice_url = v;
    } else if (key == "email_subject") {
        out_.email_subject = v;
    } else if (key == "email_body") {
        out_.email_body = v;
    } else if (key == "sms_body") {
        out_.sms_body = v;
    } else if (key == "voice_message") {
        out_.voice_message = v;
    } else if (key == "sms_format") {
        if (v != "json" && v != "form") return bad("sms_format is neither json nor form");
        out_.sms_format = v == "form" ? SmsFormat::form : SmsFormat::json;
    } else if (key == "sms_field_to") {
        out_.sms_field_to = v;
    } else if (key == "sms_field_message") {
        out_.sms_field_message = v;
    } else if (key == "gateway_auth") {
        if (v != "none" && v != "basic" && v != "bearer")
            return bad("gateway_auth is not none, basic or bearer");
        out_.gateway_auth = v == "basic"    ? GatewayAuth::basic
                            : v == "bearer" ? GatewayAuth::bearer
                                            : GatewayAuth::none;
    } else if (key == "gateway_token_file") {
        out_.gateway_token_file = v;
    } else if (key == "command") {
        out_.command = v;
    } else if (key == "gateway_header") {
        const auto sep = v.find(": ");
        if (sep == std::string::npos || sep == 0) return bad("gateway_header is not \"Name: value\"");
        out_.gateway_headers.emplace_back(v.substr(0, sep), v.substr(sep + 2));
    } else {  // command_channel
        if (v != "email" && v != "sms" && v != "voice")
            return bad("command_channel is not email, sms or voice");
        out_.command_channels.push_back(v);
    }
    return go_on();
}

Outcome SettingsReader::finish() {
    for (const char* key : kSingleKeys)
        if (std::find(seen_.begin(), seen_.end(), key) == seen_.end())
            return bad(std::string("setting '") + key + "' missing");
    if (out_.gateway_auth != GatewayAuth::none &&
        (out_.gateway_token_file.empty() || out_.gateway_token_file[0] != '/'))
        return bad("gateway_auth needs an absolute gateway_token_file");
    if (!out_.command.empty() && out_.command[0] != '/') return bad("command is not an absolute path");
    return go_on();
}

Outcome read_gateway_secret(Settings& out) {
    if (out.gateway_auth == GatewayAuth::none) return go_on();
    const std::string& path = out.gateway_token_file;
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
        return config_error("delivery.gateway_token_file " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return config_error("delivery.gateway_token_file " + path + ": not a regular file");
    const bool owner = st.st_uid == 0 || (::geteuid() != 0 && st.st_uid == ::geteuid());
    if (!owner || (st.st_mode & 077) != 0)
        return config_error("delivery.gateway_token_file " + path +
                            ": must be owned by root and not accessible to group or others (mode 0600)");
    if (st.st_size > kMaxTokenBytes)
        return config_error("delivery.gateway_token_file " + path + ": larger than 4 KiB");
    std::string& secret = out.gateway_secret;
    secret.assign(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < secret.size()) {
        const ssize_t n = ::read(fd.get(), secret.data() + got, secret.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return config_error("delivery.gateway_token_file " + path + ": read failed");
        got += static_cast<std::size_t>(n);
    }
    // One line: a trailing newline (and CR) is not part of the secret.
    std::size_t len = secret.size();
    if (len > 0 && secret[len - 1] == '\n') --len;
    if (len > 0 && secret[len - 1] == '\r') --len;
    chorus_tools::wipe(secret.data() + len, secret.size() - len);
    secret.resize(len);
    const bool unfit = secret.empty() || std::any_of(secret.begin(), secret.end(), [](char c) {
                           return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                       });
    if (unfit) return config_error("delivery.gateway_token_file " + path + ": expected one non-empty line");
    if (out.gateway_auth == GatewayAuth::basic && secret.find(':') == std::string::npos)
        return config_error("delivery.gateway_token_file " + path +
                            ": basic authentication needs user:password");
    return go_on();
}

Settings::~Settings() {
    chorus_tools::wipe(gateway_secret.data(), gateway_secret.size());
}

}  // namespace chorus_deliver
