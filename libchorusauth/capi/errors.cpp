// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>
#include <cstring>

#include "capi/capi_internal.hpp"

namespace chorus {

int to_rc(Errc code) noexcept {
    switch (code) {
    case Errc::invalid_argument:
        return CHORUS_ERR_INVALID_ARG;
    case Errc::no_memory:
        return CHORUS_ERR_NOMEM;
    case Errc::config:
        return CHORUS_ERR_CONFIG;
    case Errc::io:
        return CHORUS_ERR_IO;
    case Errc::unsafe_file:
        return CHORUS_ERR_UNSAFE_FILE;
    case Errc::corrupt:
        return CHORUS_ERR_CORRUPT;
    case Errc::not_found:
        return CHORUS_ERR_NO_USER;
    case Errc::not_enrolled:
        return CHORUS_ERR_NOT_ENROLLED;
    case Errc::bad_code:
        return CHORUS_ERR_BAD_CODE;
    case Errc::replay:
        return CHORUS_ERR_REPLAY;
    case Errc::locked:
        return CHORUS_ERR_LOCKED;
    case Errc::rate_limited:
        return CHORUS_ERR_RATE_LIMITED;
    case Errc::expired:
        return CHORUS_ERR_EXPIRED;
    case Errc::password_rules:
        return CHORUS_ERR_PASSWORD_RULES;
    case Errc::password_reused:
        return CHORUS_ERR_PASSWORD_REUSED;
    case Errc::bad_username:
        return CHORUS_ERR_BAD_USERNAME;
    case Errc::permission:
        return CHORUS_ERR_PERMISSION;
    case Errc::conversation:
        return CHORUS_ERR_CONV;
    case Errc::unsupported:
        return CHORUS_ERR_UNSUPPORTED;
    case Errc::busy:
    case Errc::conflict:  // left after the flows' retries: as busy to a caller
        return CHORUS_ERR_BUSY;
    case Errc::internal:
        return CHORUS_ERR_INTERNAL;
    case Errc::unavailable:
        return CHORUS_ERR_UNAVAILABLE;
    }
    return CHORUS_ERR_INTERNAL;
}

int fail(chorus_ctx* h, const Error& e) noexcept {
    if (h != nullptr) {
        try {
            h->last_error = e.message;
        } catch (...) {
            h->last_error.clear();
        }
    }
    return to_rc(e.code);
}

}  // namespace chorus

char* chorus_dup_string(std::string_view s) noexcept {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p == nullptr) return nullptr;
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

extern "C" {

const char* chorus_strerror(int rc) {
    switch (rc) {
    case CHORUS_OK:
        return "success";
    case CHORUS_ERR_INVALID_ARG:
        return "invalid argument";
    case CHORUS_ERR_NOMEM:
        return "out of memory";
    case CHORUS_ERR_CONFIG:
        return "configuration error";
    case CHORUS_ERR_IO:
        return "input/output error";
    case CHORUS_ERR_UNSAFE_FILE:
        return "unsafe state file (link, owner or mode)";
    case CHORUS_ERR_CORRUPT:
        return "state file corrupt";
    case CHORUS_ERR_NO_USER:
        return "no state for user";
    case CHORUS_ERR_NOT_ENROLLED:
        return "user has no second factor";
    case CHORUS_ERR_BAD_CODE:
        return "wrong code";
    case CHORUS_ERR_REPLAY:
        return "code expired or already used";
    case CHORUS_ERR_LOCKED:
        return "too many attempts; locked";
    case CHORUS_ERR_RATE_LIMITED:
        return "too many requests; wait";
    case CHORUS_ERR_EXPIRED:
        return "code expired";
    case CHORUS_ERR_PASSWORD_RULES:
        return "password does not meet the rules";
    case CHORUS_ERR_PASSWORD_REUSED:
        return "password was used before";
    case CHORUS_ERR_BAD_USERNAME:
        return "invalid user name";
    case CHORUS_ERR_PERMISSION:
        return "permission denied";
    case CHORUS_ERR_UNSUPPORTED:
        return "not supported";
    case CHORUS_ERR_BUSY:
        return "state busy";
    case CHORUS_ERR_INTERNAL:
        return "internal error";
    case CHORUS_ERR_UNAVAILABLE:
        return "state store unreachable";
    case CHORUS_ERR_CONV:
        return "conversation failed";
    default:
        return "unknown error";
    }
}

void chorus_string_free(char** s) {
    if (s == nullptr || *s == nullptr) return;
    chorus::secure_wipe(*s, std::strlen(*s));
    std::free(*s);
    *s = nullptr;
}

void chorus_strings_free(char*** list, size_t count) {
    if (list == nullptr || *list == nullptr) return;
    for (size_t i = 0; i < count; ++i) chorus_string_free(&(*list)[i]);
    std::free(*list);
    *list = nullptr;
}

}  // extern "C"
