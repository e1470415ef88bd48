// SPDX-License-Identifier: BSD-2-Clause
// The protocol between chorus-web's HTTP process and its privileged broker:
// one framed message per request and per answer. A frame is a 4-byte
// big-endian length and that many bytes: the operation name, then key and
// value pairs, every item ended by a NUL. Nothing else crosses: no
// pointers, no file names, no numbers the other side must trust the size of.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chorus_web {

inline constexpr std::size_t kMaxFrame = std::size_t{64} * 1024;

struct Message {
    std::string op;
    std::vector<std::pair<std::string, std::string>> fields;

    Message() = default;
    explicit Message(std::string o) : op(std::move(o)) {}
    Message& set(std::string key, std::string value) {
        fields.emplace_back(std::move(key), std::move(value));
        return *this;
    }
    // The first value of key, or "" (every key of an operation is optional
    // to the codec; the handler decides what is required).
    [[nodiscard]] std::string get(std::string_view key) const;
    [[nodiscard]] bool has(std::string_view key) const;
    // The value of key as a decimal integer; fallback when absent or not a
    // whole number in range.
    [[nodiscard]] long long number(std::string_view key, long long fallback) const;
    // Every value of key, in order (lists: methods, rules, codes).
    [[nodiscard]] std::vector<std::string> all(std::string_view key) const;
    // Overwrites and releases the values (passwords, codes).
    void wipe() noexcept;
};

// Encodes m; nullopt when it does not fit a frame or holds a NUL.
std::optional<std::string> encode(const Message& m);
// Decodes one frame's body; nullopt when malformed.
std::optional<Message> decode(std::string_view body);

// Blocking frame I/O on a stream socket. write_message: false on any
// failure. read_message waits at most timeout_ms (-1: forever) for the
// frame to start and then for each part of it; nullopt on end of file,
// timeout, oversize or a malformed frame.
bool write_message(int fd, const Message& m);
std::optional<Message> read_message(int fd, int timeout_ms);

// File descriptor passing (the broker hands each flow's socket to the HTTP
// process): send one fd with a one-byte payload; receive it (-1 on failure).
bool send_fd(int sock, int fd);
int receive_fd(int sock, int timeout_ms);

}  // namespace chorus_web
