// SPDX-License-Identifier: BSD-2-Clause
#include "settings.hpp"

#include <chorus/chorus.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "common/secret.hpp"

namespace chorus_deliver {
namespace {

constexpr off_t kMaxConfigBytes = 256 * 1024;  // as the library's loader

Outcome config_error(std::string reason) {
    return {kConfig, std::move(reason)};
}

// The library's rule: owned by root (or, when not running as root, by the
// effective user), not writable by group or others.
bool trusted(const struct stat& st) {
    bool owner = st.st_uid == 0 || (::geteuid() != 0 && st.st_uid == ::geteuid());
    return owner && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

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

// Reads path the way the library does: directory and file trusted, last
// component not a symlink, a regular file, size capped. ENOENT is reported
// through missing.
Outcome read_trusted(const std::string& path, std::string& text, bool& missing) {
    missing = false;
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return config_error(path + ": not an absolute path");
    std::string dir = slash == 0 ? "/" : path.substr(0, slash), base = path.substr(slash + 1);
    Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (dfd.get() < 0 || ::fstat(dfd.get(), &st) != 0) {
        missing = errno == ENOENT;
        return config_error(dir + ": " + std::strerror(errno));
    }
    if (!trusted(st)) return config_error("directory " + dir + ": not owned by root or writable by others");
    Fd fd(::openat(dfd.get(), base.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
        missing = errno == ENOENT;
        return config_error(path + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return config_error(path + ": not a regular file");
    if (!trusted(st)) return config_error(path + ": not owned by root or writable by others");
    if (st.st_size > kMaxConfigBytes) return config_error(path + ": larger than 256 KiB");
    text.assign(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return config_error(path + ": read failed");
        got += static_cast<std::size_t>(n);
    }
    return go_on();
}

void read_text(const YAML::Node& section, const char* key, std::string& out) {
    if (YAML::Node n = section[key]; n && n.IsScalar()) out = n.as<std::string>();
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

constexpr off_t kMaxTokenBytes = 4096;

// delivery.gateway_token_file: a regular file (not a symlink) owned by root
// (or by the effective user when not root) that nobody else may read or
// write; its first line is the secret.
Outcome read_token_file(const std::string& path, GatewayAuth auth, std::string& out) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
        return config_error("delivery.gateway_token_file " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return config_error("delivery.gateway_token_file " + path + ": not a regular file");
    bool owner = st.st_uid == 0 || (::geteuid() != 0 && st.st_uid == ::geteuid());
    if (!owner || (st.st_mode & 077) != 0)
        return config_error("delivery.gateway_token_file " + path +
                            ": must be owned by root and not accessible to group or others (mode 0600)");
    if (st.st_size > kMaxTokenBytes)
        return config_error("delivery.gateway_token_file " + path + ": larger than 4 KiB");
    out.assign(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return config_error("delivery.gateway_token_file " + path + ": read failed");
        got += static_cast<std::size_t>(n);
    }
    // One line: a trailing newline (and CR) is not part of the secret.
    std::size_t len = out.size();
    if (len > 0 && out[len - 1] == '\n') --len;
    if (len > 0 && out[len - 1] == '\r') --len;
    chorus_tools::wipe(out.data() + len, out.size() - len);
    out.resize(len);
    bool bad = out.empty() || std::any_of(out.begin(), out.end(), [](char c) {
                   return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
               });
    if (bad) return config_error("delivery.gateway_token_file " + path + ": expected one non-empty line");
    if (auth == GatewayAuth::basic && out.find(':') == std::string::npos)
        return config_error("delivery.gateway_token_file " + path +
                            ": basic authentication needs user:password");
    return go_on();
}

}  // namespace

Settings::~Settings() {
    chorus_tools::wipe(gateway_secret.data(), gateway_secret.size());
}

Outcome load_settings(const char* path, Settings& out) {
    char* message = nullptr;
    int rc = chorus_config_validate(path, &message);
    if (rc != CHORUS_OK) {
        std::string why = message != nullptr ? message : chorus_strerror(rc);
        chorus_string_free(&message);
        return config_error("invalid configuration: " + why);
    }
    std::string file = path != nullptr ? path : kDefaultConfig;
    std::string text;
    bool missing = false;
    Outcome read = read_trusted(file, text, missing);
    if (read.exit != kDelivered) {
        if (missing && path == nullptr) return go_on();  // no file: built-in defaults, nothing configured
        return read;
    }
    // The rest of the file (a database password in store.conninfo) is not kept.
    struct Wiper {
        std::string& s;
        ~Wiper() { chorus_tools::wipe(s.data(), s.size()); }
    } wiper{text};
    std::string token_file;
    try {
        YAML::Node root = YAML::Load(text);
        YAML::Node section = root.IsMap() ? root["delivery"] : YAML::Node();
        if (!section || section.IsNull()) return go_on();
        if (!section.IsMap()) return config_error(file + ": delivery: is not a mapping");
        if (YAML::Node t = section["timeout"]; t) out.timeout = t.as<int>();
        read_text(section, "smtp_url", out.smtp_url);
        read_text(section, "email_from", out.email_from);
        read_text(section, "sms_url", out.sms_url);
        read_text(section, "voice_url", out.voice_url);
        read_text(section, "email_subject", out.email_subject);
        read_text(section, "email_body", out.email_body);
        read_text(section, "sms_body", out.sms_body);
        read_text(section, "voice_message", out.voice_message);
        std::string word;
        read_text(section, "sms_format", word);
        out.sms_format = lower(word) == "form" ? SmsFormat::form : SmsFormat::json;
        if (YAML::Node f = section["sms_fields"]; f && f.IsMap()) {
            read_text(f, "to", out.sms_field_to);
            read_text(f, "message", out.sms_field_message);
        }
        word.clear();
        read_text(section, "gateway_auth", word);
        word = lower(word);
        out.gateway_auth = word == "basic"    ? GatewayAuth::basic
                           : word == "bearer" ? GatewayAuth::bearer
                                              : GatewayAuth::none;
        read_text(section, "gateway_token_file", token_file);
        if (YAML::Node h = section["gateway_headers"]; h && h.IsMap())
            for (const auto& item : h)
                out.gateway_headers.emplace_back(item.first.as<std::string>(), item.second.as<std::string>());
        read_text(section, "command", out.command);
        if (YAML::Node list = section["command_channels"]; list && list.IsSequence())
            for (const auto& item : list) out.command_channels.push_back(item.as<std::string>());
    } catch (const YAML::Exception& e) {
        return config_error(file + ": " + e.what());
    }
    if (out.timeout < 1 || out.timeout > 300) return config_error(file + ": delivery.timeout out of range");
    if (out.gateway_auth != GatewayAuth::none) {
        if (token_file.empty() || token_file[0] != '/')
            return config_error(file + ": delivery.gateway_auth needs delivery.gateway_token_file");
        return read_token_file(token_file, out.gateway_auth, out.gateway_secret);
    }
    return go_on();
}

}  // namespace chorus_deliver
