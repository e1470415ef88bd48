// SPDX-License-Identifier: BSD-2-Clause
// Several authenticator apps per user (flows/apps.hpp).
#include "capi/capi_internal.hpp"
#include "flows/apps.hpp"
#include "flows/enroll.hpp"

extern "C" {

int chorus_enrollment_add(chorus_ctx_t* h, const chorus_enrollment_t* e, const char* code, const char* name) {
    if (h == nullptr || e == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::PendingEnrollment pending = e->pending;
        pending.app_name = name != nullptr ? name : "";
        chorus::Status st =
            chorus::enrollment_commit(h->ctx, pending, code != nullptr ? code : "", chorus::CommitMode::add);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_app_list(chorus_ctx_t* h, const char* user, char*** names, size_t* count) {
    if (names != nullptr) *names = nullptr;
    if (count != nullptr) *count = 0;
    if (h == nullptr || user == nullptr || names == nullptr || count == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto apps = chorus::list_apps(h->ctx, user);
        if (!apps.ok()) return chorus::fail(h, apps.error());
        return chorus_dup_string_list(
            *apps, [](const chorus::AppSummary& a) { return std::string_view(a.name); }, names, count);
    })
}

int chorus_app_rename(chorus_ctx_t* h, const char* user, const char* app, const char* new_name) {
    if (h == nullptr || user == nullptr || app == nullptr || new_name == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::rename_app(h->ctx, user, app, new_name);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_app_remove(chorus_ctx_t* h, const char* user, const char* app) {
    if (h == nullptr || user == nullptr || app == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::remove_app(h->ctx, user, app);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"
