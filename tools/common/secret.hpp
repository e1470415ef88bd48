// SPDX-License-Identifier: BSD-2-Clause
// A byte buffer for secrets that is wiped when it goes away, and reading one
// line (a password, a key) from a file descriptor into it.
#pragma once

#include <cstddef>
#include <string_view>

namespace chorus_tools {

// Wipes n bytes at p in a way the compiler may not drop.
void wipe(void* p, size_t n) noexcept;

// Fixed-capacity, NUL-terminated, never reallocated (so no stale copies are
// left behind in freed memory), wiped on clear() and destruction.
class SecretBuffer {
public:
    explicit SecretBuffer(size_t capacity);
    ~SecretBuffer();
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;

    bool append(char c) noexcept;  // false when full
    void clear() noexcept;
    void pop_back() noexcept;
    [[nodiscard]] const char* c_str() const noexcept { return data_; }
    [[nodiscard]] char* data() noexcept { return data_; }
    [[nodiscard]] size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] std::string_view view() const noexcept { return {data_, size_}; }

private:
    char* data_;
    size_t size_ = 0;
    size_t capacity_;
};

enum class ReadLine {
    ok,        // one line read (the newline is not kept)
    eof,       // end of input before any byte
    too_long,  // more than the buffer holds
    nul_byte,  // the line contains a NUL byte
    error,     // read(2) failed; errno is set
};

// Reads one line from fd, byte by byte (nothing past the newline is
// consumed). When fd is a terminal and echo_off is true, echo is turned off
// while reading and restored afterwards (a newline is printed to stderr).
[[nodiscard]] ReadLine read_secret_line(int fd, SecretBuffer& out, bool echo_off);

const char* read_line_error(ReadLine r);

}  // namespace chorus_tools
