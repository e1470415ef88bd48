// SPDX-License-Identifier: BSD-2-Clause
#include "capi/capi_internal.hpp"
#include <fstream>

#include "flows/password_change.hpp"
#include "password/blocklist.hpp"

struct chorus_checklist {
    chorus::Checklist list;
};

extern "C" {

int chorus_password_check(chorus_ctx_t* h, const char* user, const char* gecos, const char* password,
                          chorus_pw_mode mode, chorus_checklist_t** out) {
    if (out != nullptr) *out = nullptr;
    if (h == nullptr || password == nullptr || out == nullptr) return CHORUS_ERR_INVALID_ARG;
    if (mode != CHORUS_PW_CHANGE && mode != CHORUS_PW_RESET) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto cl = chorus::password_checklist(
            h->ctx, user != nullptr ? user : "", gecos != nullptr ? gecos : "", password,
            mode == CHORUS_PW_RESET ? chorus::PasswordMode::reset : chorus::PasswordMode::change);
        if (!cl.ok()) return chorus::fail(h, cl.error());
        *out = new chorus_checklist{std::move(cl).value()};
        return CHORUS_OK;
    })
}

void chorus_checklist_free(chorus_checklist_t** cl) {
    if (cl == nullptr || *cl == nullptr) return;
    delete *cl;
    *cl = nullptr;
}

int chorus_checklist_ok(const chorus_checklist_t* cl) {
    return cl != nullptr && cl->list.ok() ? 1 : 0;
}
size_t chorus_checklist_count(const chorus_checklist_t* cl) {
    return cl != nullptr ? cl->list.rules.size() : 0;
}

const char* chorus_checklist_rule_id(const chorus_checklist_t* cl, size_t i) {
    return cl != nullptr && i < cl->list.rules.size() ? cl->list.rules[i].id.c_str() : "";
}
const char* chorus_checklist_rule_text(const chorus_checklist_t* cl, size_t i) {
    return cl != nullptr && i < cl->list.rules.size() ? cl->list.rules[i].text.c_str() : "";
}
int chorus_checklist_rule_met(const chorus_checklist_t* cl, size_t i) {
    return cl != nullptr && i < cl->list.rules.size() && cl->list.rules[i].met ? 1 : 0;
}

int chorus_blocklist_compile(const char* words_path, const char* out_path, char** message) {
    if (message != nullptr) *message = nullptr;
    if (words_path == nullptr || out_path == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(nullptr, {
        std::ifstream in(words_path);
        if (!in) {
            if (message != nullptr) *message = chorus_dup_string(std::string("cannot read ") + words_path);
            return CHORUS_ERR_IO;
        }
        chorus::Status st = chorus::Blocklist::compile(in, out_path);
        if (!st.ok()) {
            if (message != nullptr) *message = chorus_dup_string(st.error().message);
            return chorus::to_rc(st.code());
        }
        return CHORUS_OK;
    })
}

int chorus_password_record(chorus_ctx_t* h, const char* user, const char* password) {
    if (h == nullptr || user == nullptr || password == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::password_record(h->ctx, user, password);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"
