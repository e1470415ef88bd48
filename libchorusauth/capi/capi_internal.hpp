// SPDX-License-Identifier: BSD-2-Clause
// The ABI boundary: opaque handle definitions and the one conversion from
// C++ results (and stray exceptions) to chorus_rc.
#pragma once

#include <cstdlib>
#include <new>
#include <optional>
#include <string>

#include "chorus/chorus.h"
#include "flows/context.hpp"
#include "flows/enroll.hpp"
#include "push/push_crypto.hpp"

// A key shown but not saved yet (chorus_enrollment_new()).
struct chorus_enrollment {
    chorus::PendingEnrollment pending;
};

struct chorus_ctx {
    chorus::Context ctx;
    std::string last_error;
    std::optional<chorus::PushSigner> push_signer;  // chorus_push_endpoint(): read once
};

namespace chorus {

int to_rc(Errc code) noexcept;

// Records the error detail on the handle (if any) and returns its chorus_rc.
int fail(chorus_ctx* h, const Error& e) noexcept;

}  // namespace chorus

// Every extern "C" body runs inside this: no exception crosses the boundary.
#define CHORUS_C_BOUNDARY(handle, ...)                                                                     \
    try {                                                                                                  \
        __VA_ARGS__                                                                                        \
    } catch (const std::bad_alloc&) {                                                                      \
        return ::chorus::fail((handle), ::chorus::make_error(::chorus::Errc::no_memory, "out of memory")); \
    } catch (...) {                                                                                        \
        return ::chorus::fail((handle),                                                                    \
                              ::chorus::make_error(::chorus::Errc::internal, "unexpected exception"));     \
    }

// Copies s into a malloc'd C string the caller frees with chorus_string_free().
char* chorus_dup_string(std::string_view s) noexcept;

// Copies a list of strings (anything with a std::string_view view of it) into
// a malloc'd, NULL-terminated array the caller frees with chorus_strings_free().
template <typename List, typename View>
int chorus_dup_string_list(const List& list, View view, char*** out, size_t* count) noexcept {
    auto** arr = static_cast<char**>(std::calloc(list.size() + 1, sizeof(char*)));
    if (arr == nullptr) return CHORUS_ERR_NOMEM;
    for (size_t i = 0; i < list.size(); ++i) {
        arr[i] = chorus_dup_string(view(list[i]));
        if (arr[i] == nullptr) {
            chorus_strings_free(&arr, i);
            return CHORUS_ERR_NOMEM;
        }
    }
    *out = arr;
    *count = list.size();
    return CHORUS_OK;
}
