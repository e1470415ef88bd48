// SPDX-License-Identifier: BSD-2-Clause
// The ABI boundary: opaque handle definitions and the one conversion from
// C++ results (and stray exceptions) to chorus_rc.
#pragma once

#include <new>
#include <string>

#include "chorus/chorus.h"
#include "flows/context.hpp"

struct chorus_ctx {
    chorus::Context ctx;
    std::string last_error;
};

namespace chorus {

int to_rc(Errc code) noexcept;

// Records the error detail on the handle (if any) and returns its chorus_rc.
int fail(chorus_ctx* h, const Error& e) noexcept;

}  // namespace chorus

// Every extern "C" body runs inside this: no exception crosses the boundary.
#define CHORUS_C_BOUNDARY(handle, ...)                                            \
    try {                                                                         \
        __VA_ARGS__                                                               \
    } catch (const std::bad_alloc&) {                                             \
        return ::chorus::fail((handle), ::chorus::make_error(::chorus::Errc::no_memory, "out of memory")); \
    } catch (...) {                                                               \
        return ::chorus::fail((handle), ::chorus::make_error(::chorus::Errc::internal, "unexpected exception")); \
    }

// Copies s into a malloc'd C string the caller frees with chorus_string_free().
char* chorus_dup_string(std::string_view s) noexcept;
