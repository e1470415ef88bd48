// SPDX-License-Identifier: BSD-2-Clause
#include "util/fd.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chorus {

void UniqueFd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

std::string errno_message(std::string_view what, int err) {
    std::string msg(what);
    msg += ": ";
    char buf[256];
    msg += ::strerror_r(err, buf, sizeof buf);  // the GNU one: returns the text, in buf or static
    return msg;
}

Error errno_error(std::string_view what, int err) {
    return make_error(Errc::io, errno_message(what, err));
}

Result<std::string> read_all(int fd, std::size_t max_bytes) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read", errno);
        }
        if (n == 0) break;
        if (out.size() + static_cast<std::size_t>(n) > max_bytes)
            return make_error(Errc::unsafe_file, "file larger than " + std::to_string(max_bytes) + " bytes");
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

Status write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("write", errno);
        }
        if (n == 0) return make_error(Errc::io, "write: no progress");
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Status pwrite_all(int fd, std::string_view data, long long offset) {
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("pwrite", errno);
        }
        if (n == 0) return make_error(Errc::io, "pwrite: no progress");
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += n;
    }
    return {};
}

}  // namespace chorus
