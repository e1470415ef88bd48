// SPDX-License-Identifier: BSD-2-Clause
// RAII for file descriptors, and the small safe-I/O helpers every module shares.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace chorus {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

// "open(path): No such file or directory" style message from errno.
std::string errno_message(std::string_view what, int err);

// Error with Errc::io (or a more precise code for ENOSPC-like cases) from errno.
Error errno_error(std::string_view what, int err);

// Reads the whole file behind fd, refusing more than max_bytes.
Result<std::string> read_all(int fd, std::size_t max_bytes);

// Writes all of data at the current offset, retrying short writes and EINTR.
Status write_all(int fd, std::string_view data);

// pwrite() all of data at offset.
Status pwrite_all(int fd, std::string_view data, long long offset);

}  // namespace chorus
