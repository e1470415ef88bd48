// SPDX-License-Identifier: BSD-2-Clause
// The one error type of libchorusauth: Error (a code and a message), Status
// (success or an Error) and Result<T> (a value or an Error). Nothing inside the
// library throws across a module boundary; the C API converts these to chorus_rc.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace chorus {

// Keep in step with chorus_rc in include/chorus/chorus.h (capi/errors.cpp maps them).
enum class Errc {
    invalid_argument,  // caller passed something malformed
    no_memory,
    config,           // configuration missing, unsafe or invalid
    io,               // a system call failed (disk full, EIO, ...)
    unsafe_file,      // symlink, wrong owner/mode/type where state should be
    corrupt,          // state exists but does not parse or verify
    not_found,        // no such user record
    not_enrolled,     // user exists but has no usable method
    bad_code,         // wrong, malformed or unknown-user code
    replay,           // code at or below the last accepted step
    locked,           // too many failures; try later
    rate_limited,     // asked too often (re-send throttling)
    expired,          // reset code or similar past its lifetime
    password_rules,   // candidate password fails the checklist
    password_reused,  // candidate password is in history
    bad_username,     // name that must not become a file name
    permission,       // caller may not do this (a rule of Chorus refuses it)
    conversation,     // the front end could not ask or show (PAM conversation failed)
    unsupported,      // feature or backend not built/configured
    busy,             // lock not available in time
    conflict,         // the state changed between reading and writing it (another writer): begin again
    internal,         // a bug or an unexpected exception
    unavailable,      // the state store cannot be reached (fleet database down)
};

struct Error {
    Errc code;
    std::string message;
};

inline Error make_error(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Error e) : err_(std::move(e)) {}  // NOLINT(google-explicit-constructor): `return make_error(...)`

    bool ok() const { return !err_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const& { return *err_; }
    Error&& error() && { return std::move(*err_); }
    // A success has no code: asking for one is a bug, answered as a failure.
    Errc code() const { return err_ ? err_->code : Errc::internal; }
    // Marks a status as deliberately unused (e.g. best-effort cleanup).
    void ignore() const {}

private:
    std::optional<Error> err_;
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T val) : v_(std::in_place_index<0>, std::move(val)) {}  // NOLINT(google-explicit-constructor)
    Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }
    Errc code() const { return error().code; }
    Status status() const { return ok() ? Status{} : Status{error()}; }

private:
    std::variant<T, Error> v_;
};

inline Status ok_status() {
    return Status{};
}

}  // namespace chorus

#define CHORUS_CONCAT_INNER(a, b) a##b
#define CHORUS_CONCAT(a, b) CHORUS_CONCAT_INNER(a, b)

// Return the error of a Status/Result expression from the enclosing function.
#define CHORUS_RETURN_IF_ERROR(expr)                                        \
    do {                                                                    \
        auto&& chorus_status_ = (expr);                                     \
        if (!chorus_status_.ok()) return std::move(chorus_status_).error(); \
    } while (0)

// `CHORUS_ASSIGN_OR_RETURN(auto x, f());` binds the value or returns the error.
#define CHORUS_ASSIGN_OR_RETURN(lhs, expr) \
    CHORUS_ASSIGN_OR_RETURN_IMPL(CHORUS_CONCAT(chorus_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration (`auto x`) and tmp a
// name being declared; neither can be parenthesized.
#define CHORUS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                               \
    if (!tmp.ok()) return std::move(tmp).error();    \
    lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
