// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>

#include "capi/capi_internal.hpp"
#include "chorus/chorus_push.h"
#include "flows/admin.hpp"
#include "flows/deliver.hpp"

struct chorus_status {
    chorus::UserStatus st;
};

extern "C" {

long long chorus_status_first_seen(const chorus_status_t* st) {
    return st != nullptr ? st->st.first_seen : 0;
}

long long chorus_status_grace_left(const chorus_status_t* st) {
    return st != nullptr ? st->st.grace_left : -1;
}

int chorus_status_has_push(const chorus_status_t* st) {
    return st != nullptr && st->st.has_push ? 1 : 0;
}

int chorus_status_get(chorus_ctx_t* h, const char* user, chorus_status_t** out) {
    if (out != nullptr) *out = nullptr;
    if (h == nullptr || user == nullptr || out == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto st = chorus::user_status(h->ctx, user);
        if (!st.ok()) return chorus::fail(h, st.error());
        *out = new chorus_status{std::move(st).value()};
        return CHORUS_OK;
    })
}

void chorus_status_free(chorus_status_t** st) {
    if (st == nullptr || *st == nullptr) return;
    delete *st;
    *st = nullptr;
}

int chorus_status_has_method(const chorus_status_t* s) {
    return s != nullptr && s->st.has_method ? 1 : 0;
}
int chorus_status_has_totp(const chorus_status_t* s) {
    return s != nullptr && s->st.has_totp ? 1 : 0;
}
int chorus_status_recovery_left(const chorus_status_t* s) {
    return s != nullptr ? s->st.recovery_left : 0;
}
int chorus_status_failures(const chorus_status_t* s) {
    return s != nullptr ? static_cast<int>(s->st.failures) : 0;
}
long long chorus_status_lock_remaining(const chorus_status_t* s) {
    return s != nullptr ? s->st.lock_remaining : 0;
}
long long chorus_status_last_success(const chorus_status_t* s) {
    return s != nullptr ? s->st.last_success_at : 0;
}
long long chorus_status_enrolled_at(const chorus_status_t* s) {
    return s != nullptr ? s->st.enrolled_at : 0;
}
const char* chorus_status_algorithm(const chorus_status_t* s) {
    return s != nullptr && s->st.has_totp ? chorus::algorithm_name(s->st.params.algorithm) : "";
}
int chorus_status_digits(const chorus_status_t* s) {
    return s != nullptr && s->st.has_totp ? s->st.params.digits : 0;
}
int chorus_status_period(const chorus_status_t* s) {
    return s != nullptr && s->st.has_totp ? s->st.params.period : 0;
}
const char* chorus_status_phone(const chorus_status_t* s) {
    return s != nullptr ? s->st.phone.c_str() : "";
}
const char* chorus_status_email(const chorus_status_t* s) {
    return s != nullptr ? s->st.email.c_str() : "";
}
const char* chorus_status_phone2(const chorus_status_t* s) {
    return s != nullptr ? s->st.phone2.c_str() : "";
}
int chorus_status_contact_proven(const chorus_status_t* s, const char* which) {
    if (s == nullptr || which == nullptr) return 0;  // not known to be proven
    const std::string_view w = which;
    if (w == "phone") return s->st.phone_proven ? 1 : 0;
    if (w == "phone2") return s->st.phone2_proven ? 1 : 0;
    if (w == "email") return s->st.email_proven ? 1 : 0;
    return 0;
}
const char* chorus_status_default_method(const chorus_status_t* s) {
    return s != nullptr ? s->st.default_method.c_str() : "";
}

int chorus_user_unlock(chorus_ctx_t* h, const char* user) {
    if (h == nullptr || user == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::user_unlock(h->ctx, user);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_user_unenroll(chorus_ctx_t* h, const char* user, int all) {
    if (h == nullptr || user == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::user_unenroll(h->ctx, user, all != 0);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_user_list(chorus_ctx_t* h, char*** users, size_t* count) {
    if (users != nullptr) *users = nullptr;
    if (count != nullptr) *count = 0;
    if (h == nullptr || users == nullptr || count == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto list = chorus::user_list(h->ctx);
        if (!list.ok()) return chorus::fail(h, list.error());
        return chorus_dup_string_list(
            *list, [](const std::string& u) { return std::string_view(u); }, users, count);
    })
}

}  // extern "C"

extern "C" {

int chorus_delivery_test(chorus_ctx_t* h, const char* channel, const char* to) {
    if (h == nullptr || channel == nullptr || to == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::delivery_test(h->ctx, channel, to);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"
