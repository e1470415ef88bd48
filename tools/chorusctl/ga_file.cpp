// SPDX-License-Identifier: BSD-2-Clause
#include "chorusctl/ga_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "common/text.hpp"

namespace chorusctl {
namespace {

constexpr size_t kMaxFile = 4096;

bool parse_uint(std::string_view s, int lo, int hi, int& out) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
    out = v;
    return true;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> w;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) w.push_back(s.substr(i, j - i));
        i = j;
    }
    return w;
}

bool is_base32(std::string_view s) {
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return false;
    return !s.empty();
}

// One '" NAME args' line.
bool parse_option(std::string_view body, GaFile& out, std::string& error) {
    auto w = words(body);
    if (w.empty()) return true;
    const std::string_view name = w[0];
    if (name == "TOTP_AUTH") {
        out.totp_auth = true;
    } else if (name == "HOTP_COUNTER") {
        out.hotp = true;
    } else if (name == "DISALLOW_REUSE") {
        out.disallow_reuse = true;  // followed by used time steps once in use
    } else if (name == "STEP_SIZE") {
        if (w.size() != 2 || !parse_uint(w[1], 1, 3600, out.step_size)) {
            error = "bad STEP_SIZE";
            return false;
        }
    } else if (name == "WINDOW_SIZE") {
        if (w.size() != 2 || !parse_uint(w[1], 1, 100, out.window_size)) {
            error = "bad WINDOW_SIZE";
            return false;
        }
    } else if (name == "RATE_LIMIT") {
        if (w.size() < 3) {
            error = "bad RATE_LIMIT";
            return false;
        }
        out.rate_limit = std::string(w[1]) + " " + std::string(w[2]);  // then timestamps
    } else {
        out.unknown.push_back(chorus_tools::escape_text(name));
    }
    return true;
}

}  // namespace

GaFile::~GaFile() {
    for (auto& c : scratch) chorus_tools::wipe(c.data(), c.size());
}

int ga_window_to_chorus(int window_size) {
    int w = (window_size - 1) / 2;
    return w < 0 ? 0 : (w > 10 ? 10 : w);
}

bool parse_ga_file(std::string_view text, GaFile& out, std::string& error) {
    size_t pos = 0;
    int lineno = 0;
    out.scratch.reserve(100);  // never reallocated: no stale copies of codes
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++lineno;
        std::string what;
        if (lineno == 1) {
            if (!is_base32(line)) what = "the first line is not a base32 key";
            for (char c : line)
                if (what.empty() && !out.secret.append(c)) what = "key too long";
        } else if (line.substr(0, 2) == "\" ") {
            if (!parse_option(line.substr(2), out, what) && what.empty()) what = "bad option";
        } else if (line.empty()) {
            continue;
        } else if (line.size() == 8 && line.find_first_not_of("0123456789") == std::string_view::npos) {
            if (out.scratch.size() >= 100) {
                what = "too many scratch codes";
            } else {
                std::array<char, 9> code{};
                std::memcpy(code.data(), line.data(), 8);
                out.scratch.push_back(code);
                chorus_tools::wipe(code.data(), code.size());
            }
        } else {
            what = "neither an option nor an 8-digit scratch code";
        }
        if (!what.empty()) {
            error = "line " + std::to_string(lineno) + ": " + what;
            return false;
        }
    }
    if (lineno == 0) {
        error = "empty file";
        return false;
    }
    return true;
}

bool read_ga_file(const char* path, chorus_tools::SecretBuffer& buf, std::string& error) {
    buf.clear();
    int fd = ::open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        error = errno == ELOOP ? "is a symbolic link" : std::strerror(errno);
        return false;
    }
    struct stat st {};
    bool ok = false;
    if (::fstat(fd, &st) != 0) {
        error = std::strerror(errno);
    } else if (!S_ISREG(st.st_mode)) {
        error = "not a regular file";
    } else if (st.st_size > static_cast<off_t>(kMaxFile)) {
        error = "larger than 4 KiB";
    } else {
        ok = true;
        char c[256];
        for (;;) {
            ssize_t n = ::read(fd, c, sizeof c);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = std::strerror(errno);
                ok = false;
                break;
            }
            if (n == 0) break;
            for (ssize_t i = 0; i < n && ok; ++i) {
                if (c[i] == '\0' || !buf.append(c[i])) {
                    error = c[i] == '\0' ? "contains a NUL byte" : "larger than 4 KiB";
                    ok = false;
                }
            }
            if (!ok) break;
        }
        chorus_tools::wipe(c, sizeof c);
    }
    ::close(fd);
    if (!ok) buf.clear();
    return ok;
}

}  // namespace chorusctl
