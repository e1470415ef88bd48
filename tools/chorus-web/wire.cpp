// SPDX-License-Identifier: BSD-2-Clause
#include "wire.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cerrno>
#include <cstring>

namespace chorus_web {
namespace {

void wipe_string(std::string& s) noexcept {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
    s.shrink_to_fit();
}

bool wait_readable(int fd, int timeout_ms) {
    struct pollfd p = {fd, POLLIN, 0};
    for (;;) {
        const int r = ::poll(&p, 1, timeout_ms);
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

bool read_exact(int fd, char* buf, std::size_t n, int timeout_ms) {
    std::size_t got = 0;
    while (got < n) {
        if (!wait_readable(fd, timeout_ms)) return false;
        const ssize_t r = ::read(fd, buf + got, n - got);
        if (r == 0) return false;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return false;
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

bool write_all(int fd, const char* buf, std::size_t n) {
    std::size_t put = 0;
    while (put < n) {
        // MSG_NOSIGNAL: a peer that went away is an error, not SIGPIPE.
        const ssize_t w = ::send(fd, buf + put, n - put, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        put += static_cast<std::size_t>(w);
    }
    return true;
}

}  // namespace

std::string Message::get(std::string_view key) const {
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return {};
}

bool Message::has(std::string_view key) const {
    return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.first == key; });
}

long long Message::number(std::string_view key, long long fallback) const {
    const std::string text = get(key);
    if (text.empty() || text.size() > 18) return fallback;
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : fallback;
}

std::vector<std::string> Message::all(std::string_view key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : fields)
        if (k == key) out.push_back(v);
    return out;
}

void Message::wipe() noexcept {
    for (auto& f : fields) wipe_string(f.second);
    fields.clear();
}

std::optional<std::string> encode(const Message& m) {
    std::string body;
    auto add = [&body](const std::string& s) {
        if (s.find('\0') != std::string::npos) return false;
        body += s;
        body.push_back('\0');
        return true;
    };
    if (m.op.empty() || !add(m.op)) return std::nullopt;
    for (const auto& [k, v] : m.fields)
        if (k.empty() || !add(k) || !add(v)) return std::nullopt;
    if (body.size() > kMaxFrame) return std::nullopt;
    return body;
}

std::optional<Message> decode(std::string_view body) {
    std::vector<std::string> items;
    while (!body.empty()) {
        const std::size_t end = body.find('\0');
        if (end == std::string_view::npos) return std::nullopt;  // an item without its NUL
        items.emplace_back(body.substr(0, end));
        body.remove_prefix(end + 1);
    }
    if (items.empty() || items[0].empty() || items.size() % 2 != 1) return std::nullopt;
    Message m(std::move(items[0]));
    for (std::size_t i = 1; i < items.size(); i += 2) {
        if (items[i].empty()) return std::nullopt;
        m.fields.emplace_back(std::move(items[i]), std::move(items[i + 1]));
    }
    return m;
}

bool write_message(int fd, const Message& m) {
    auto body = encode(m);
    if (!body) return false;
    const auto n = static_cast<std::uint32_t>(body->size());
    std::string frame(4, '\0');
    frame[0] = static_cast<char>((n >> 24) & 0xff);
    frame[1] = static_cast<char>((n >> 16) & 0xff);
    frame[2] = static_cast<char>((n >> 8) & 0xff);
    frame[3] = static_cast<char>(n & 0xff);
    frame += *body;
    const bool ok = write_all(fd, frame.data(), frame.size());
    wipe_string(frame);
    wipe_string(*body);
    return ok;
}

std::optional<Message> read_message(int fd, int timeout_ms) {
    std::array<unsigned char, 4> len{};
    if (!read_exact(fd, reinterpret_cast<char*>(len.data()), len.size(), timeout_ms)) return std::nullopt;
    const std::size_t n = (std::size_t{len[0]} << 24) | (std::size_t{len[1]} << 16) |
                          (std::size_t{len[2]} << 8) | std::size_t{len[3]};
    if (n == 0 || n > kMaxFrame) return std::nullopt;
    std::string body(n, '\0');
    // Once a frame started, the rest must follow promptly.
    const bool ok = read_exact(fd, body.data(), n, 5000);
    std::optional<Message> m = ok ? decode(body) : std::nullopt;
    wipe_string(body);
    return m;
}

namespace {

// One byte of payload and room for one descriptor: the shape of both ends
// of fd passing.
struct FdMessage {
    char byte = 'F';
    struct iovec iov = {&byte, 1};
    alignas(struct cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
    struct msghdr msg = {};
    FdMessage() {
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
    }
    FdMessage(const FdMessage&) = delete;
    FdMessage& operator=(const FdMessage&) = delete;
};

}  // namespace

bool send_fd(int sock, int fd) {
    FdMessage m;
    struct cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    for (;;) {
        if (::sendmsg(sock, &m.msg, MSG_NOSIGNAL) == 1) return true;
        if (errno != EINTR) return false;
    }
}

int receive_fd(int sock, int timeout_ms) {
    if (!wait_readable(sock, timeout_ms)) return -1;
    FdMessage m;
    ssize_t r = 0;
    do {
        r = ::recvmsg(sock, &m.msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r != 1) return -1;
    struct cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
    if (c == nullptr || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int)))
        return -1;
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

}  // namespace chorus_web
