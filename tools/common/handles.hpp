// SPDX-License-Identifier: BSD-2-Clause
// RAII owners for the C API's handles and strings, so that every early return
// frees (and so wipes) what the library handed out.
#pragma once

#include <chorus/chorus.h>

#include <cstddef>

namespace chorus_tools {

// Owns a T* released with Free(T **) (the chorus_*_free convention).
template <typename T, void (*Free)(T**)>
class Handle {
public:
    Handle() = default;
    ~Handle() { Free(&p_); }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    T** out() noexcept { return &p_; }  // for out-parameters; must be empty
    [[nodiscard]] T* get() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

private:
    T* p_ = nullptr;
};

using Ctx = Handle<chorus_ctx_t, chorus_ctx_free>;
using StatusH = Handle<chorus_status_t, chorus_status_free>;
using Enrollment = Handle<chorus_enrollment_t, chorus_enrollment_free>;
using Checklist = Handle<chorus_checklist_t, chorus_checklist_free>;
using String = Handle<char, chorus_string_free>;
using Reset = Handle<chorus_reset_t, chorus_reset_free>;

// A list from chorus_user_list() or chorus_recovery_codes_new().
class Strings {
public:
    Strings() = default;
    ~Strings() { chorus_strings_free(&list_, count_); }
    Strings(const Strings&) = delete;
    Strings& operator=(const Strings&) = delete;
    char*** out() noexcept { return &list_; }
    size_t* count_out() noexcept { return &count_; }
    [[nodiscard]] size_t size() const noexcept { return count_; }
    const char* operator[](size_t i) const noexcept { return list_[i]; }

private:
    char** list_ = nullptr;
    size_t count_ = 0;
};

}  // namespace chorus_tools
