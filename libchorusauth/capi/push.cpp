// SPDX-License-Identifier: BSD-2-Clause
#include "capi/c_prompter.hpp"
#include "capi/capi_internal.hpp"
#include "chorus/chorus_push.h"
#include "flows/push_endpoint.hpp"
#include "flows/push_enroll.hpp"

extern "C" {

int chorus_push_key_generate(const char* path) {
    if (path == nullptr || path[0] != '/') return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(nullptr, {
        chorus::Status st = chorus::PushSigner::generate(path);
        return st.ok() ? CHORUS_OK : chorus::to_rc(st.code());
    })
}

int chorus_push_register(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter, unsigned flags) {
    if (h == nullptr || user == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::QrStyle qr = chorus::QrStyle::utf8;
        if ((flags & CHORUS_ACCOUNT_QR_ANSI) != 0) qr = chorus::QrStyle::ansi;
        if ((flags & CHORUS_ACCOUNT_QR_ASCII) != 0) qr = chorus::QrStyle::ascii;
        chorus::Status st = chorus::push_register(h->ctx, user, p, qr, (flags & CHORUS_REGISTER_NO_QR) == 0);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_push_enroll_begin(chorus_ctx_t* h, const char* user, char** uri) {
    if (uri != nullptr) *uri = nullptr;
    if (h == nullptr || user == nullptr || uri == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto made = chorus::push_enroll_begin(h->ctx, user);
        if (!made.ok()) return chorus::fail(h, made.error());
        *uri = chorus_dup_string(*made);
        return *uri != nullptr ? CHORUS_OK : CHORUS_ERR_NOMEM;
    })
}

int chorus_push_enroll_finish(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter) {
    if (h == nullptr || user == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::Status st = chorus::push_enroll_finish(h->ctx, user, p);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_push_endpoint(chorus_ctx_t* h, const char* method, const char* const* names,
                         const char* const* values, size_t n, int* http_status, char** body) {
    if (body != nullptr) *body = nullptr;
    if (http_status != nullptr) *http_status = 500;
    if (h == nullptr || method == nullptr || http_status == nullptr || body == nullptr ||
        (n > 0 && (names == nullptr || values == nullptr)) || n > 64)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::PushFields fields;
        for (size_t i = 0; i < n; ++i) {
            if (names[i] == nullptr || values[i] == nullptr) return CHORUS_ERR_INVALID_ARG;
            fields.emplace_back(names[i], values[i]);
        }
        if (!h->push_signer) {
            auto loaded = chorus::PushSigner::load(h->ctx.config.push.key_file);
            if (!loaded.ok()) return chorus::fail(h, loaded.error());
            h->push_signer.emplace(std::move(loaded).value());
        }
        chorus::PushHttpReply reply = chorus::push_endpoint(h->ctx, *h->push_signer, method, fields);
        *body = chorus_dup_string(reply.body);
        if (*body == nullptr) return CHORUS_ERR_NOMEM;
        *http_status = reply.status;
        return CHORUS_OK;
    })
}

}  // extern "C"
