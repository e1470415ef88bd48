// SPDX-License-Identifier: BSD-2-Clause
#include "common/secret.hpp"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace chorus_tools {

void wipe(void* p, size_t n) noexcept {
    if (p != nullptr && n > 0) ::explicit_bzero(p, n);
}

SecretBuffer::SecretBuffer(size_t capacity) : capacity_(capacity) {
    data_ = static_cast<char*>(std::calloc(capacity + 1, 1));
    if (data_ == nullptr) throw std::bad_alloc();
}

SecretBuffer::~SecretBuffer() {
    wipe(data_, capacity_ + 1);
    std::free(data_);
}

bool SecretBuffer::append(char c) noexcept {
    if (size_ >= capacity_) return false;
    data_[size_++] = c;
    data_[size_] = '\0';
    return true;
}

void SecretBuffer::clear() noexcept {
    wipe(data_, capacity_ + 1);
    size_ = 0;
}

void SecretBuffer::pop_back() noexcept {
    if (size_ > 0) data_[--size_] = '\0';
}

namespace {

// Restores the terminal's echo setting when it goes out of scope.
class EchoGuard {
public:
    EchoGuard(int fd, bool off) : fd_(fd) {
        if (!off || ::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0) return;
        struct termios t = saved_;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
        active_ = ::tcsetattr(fd, TCSAFLUSH, &t) == 0;
    }
    ~EchoGuard() {
        if (!active_) return;
        (void)::tcsetattr(fd_, TCSAFLUSH, &saved_);
        std::fputc('\n', stderr);
    }
    EchoGuard(const EchoGuard&) = delete;
    EchoGuard& operator=(const EchoGuard&) = delete;

private:
    int fd_;
    struct termios saved_ {};
    bool active_ = false;
};

}  // namespace

ReadLine read_secret_line(int fd, SecretBuffer& out, bool echo_off) {
    out.clear();
    EchoGuard guard(fd, echo_off);
    bool any = false;
    bool too_long = false;
    bool nul = false;
    for (;;) {
        char c = 0;
        ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out.clear();
            return ReadLine::error;
        }
        if (n == 0) break;
        any = true;
        if (c == '\n') break;
        if (c == '\0') nul = true;
        if (!out.append(c)) too_long = true;
        c = 0;
    }
    if (too_long || nul) {
        out.clear();
        return too_long ? ReadLine::too_long : ReadLine::nul_byte;
    }
    return any ? ReadLine::ok : ReadLine::eof;
}

const char* read_line_error(ReadLine r) {
    switch (r) {
    case ReadLine::ok:
        return "no error";
    case ReadLine::eof:
        return "no input";
    case ReadLine::too_long:
        return "input line too long";
    case ReadLine::nul_byte:
        return "input contains a NUL byte";
    case ReadLine::error:
        return std::strerror(errno);
    }
    return "unknown error";
}

}  // namespace chorus_tools
