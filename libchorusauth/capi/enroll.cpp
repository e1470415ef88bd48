// SPDX-License-Identifier: BSD-2-Clause
#include <cstdlib>

#include "capi/capi_internal.hpp"
#include "flows/enroll.hpp"

extern "C" {

int chorus_enrollment_new(chorus_ctx_t* h, const char* user, const chorus_totp_opts* opts,
                          chorus_enrollment_t** out) {
    if (out != nullptr) *out = nullptr;
    if (h == nullptr || user == nullptr || out == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::EnrollRequest req;
        if (opts != nullptr) {
            if (opts->secret_base32 != nullptr) req.secret_base32 = opts->secret_base32;
            if (opts->algorithm != nullptr) {
                req.algorithm = chorus::parse_algorithm(opts->algorithm);
                if (!req.algorithm)
                    return chorus::fail(h, chorus::make_error(chorus::Errc::invalid_argument,
                                                              "algorithm must be sha1, sha256 or sha512"));
            }
            req.digits = opts->digits;
            req.period = opts->period;
        }
        auto pending = chorus::enrollment_prepare(h->ctx, user, req);
        chorus::secure_wipe(req.secret_base32.data(), req.secret_base32.size());
        if (!pending.ok()) return chorus::fail(h, pending.error());
        *out = new chorus_enrollment{std::move(pending).value()};
        return CHORUS_OK;
    })
}

void chorus_enrollment_free(chorus_enrollment_t** e) {
    if (e == nullptr || *e == nullptr) return;
    delete *e;  // PendingEnrollment and SecretBytes wipe themselves
    *e = nullptr;
}

const char* chorus_enrollment_uri(const chorus_enrollment_t* e) {
    return e != nullptr ? e->pending.uri.c_str() : "";
}

const char* chorus_enrollment_secret_display(const chorus_enrollment_t* e) {
    return e != nullptr ? e->pending.secret_display.c_str() : "";
}

int chorus_enrollment_check(chorus_ctx_t* h, const chorus_enrollment_t* e, const char* code) {
    if (h == nullptr || e == nullptr || code == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto step = chorus::enrollment_check(h->ctx, e->pending, code);
        return step.ok() ? CHORUS_OK : chorus::fail(h, step.error());
    })
}

int chorus_enrollment_commit(chorus_ctx_t* h, chorus_enrollment_t* e, const char* code) {
    if (h == nullptr || e == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::enrollment_commit(h->ctx, e->pending, code != nullptr ? code : "");
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_recovery_codes_new(chorus_ctx_t* h, const char* user, char*** codes, size_t* count) {
    if (codes != nullptr) *codes = nullptr;
    if (count != nullptr) *count = 0;
    if (h == nullptr || user == nullptr || codes == nullptr || count == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        auto made = chorus::recovery_codes_renew(h->ctx, user);
        if (!made.ok()) return chorus::fail(h, made.error());
        return chorus_dup_string_list(
            *made, [](const chorus::SecretString& c) { return c.view(); }, codes, count);
    })
}

}  // extern "C"

extern "C" {

int chorus_enrollment_set_window(chorus_enrollment_t* e, int window) {
    if (e == nullptr || window < 0 || window > 10) return CHORUS_ERR_INVALID_ARG;
    e->pending.key.window = window;
    return CHORUS_OK;
}

int chorus_recovery_codes_import(chorus_ctx_t* h, const char* user, const char* const* codes, size_t count) {
    if (h == nullptr || user == nullptr || (codes == nullptr && count > 0) || count > 100)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        std::vector<chorus::SecretString> list;
        for (size_t i = 0; i < count; ++i) {
            if (codes[i] == nullptr) return CHORUS_ERR_INVALID_ARG;
            list.emplace_back(codes[i]);
        }
        chorus::Status st = chorus::recovery_codes_import(h->ctx, user, list);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

}  // extern "C"

#include "flows/qr_text.hpp"

extern "C" {

int chorus_qr_render(const char* text, chorus_qr_style style, char** out) {
    if (out != nullptr) *out = nullptr;
    if (text == nullptr || out == nullptr) return CHORUS_ERR_INVALID_ARG;
    chorus::QrStyle s;
    switch (style) {
    case CHORUS_QR_UTF8:
        s = chorus::QrStyle::utf8;
        break;
    case CHORUS_QR_ANSI:
        s = chorus::QrStyle::ansi;
        break;
    case CHORUS_QR_ASCII:
        s = chorus::QrStyle::ascii;
        break;
    case CHORUS_QR_SVG:
        s = chorus::QrStyle::svg;
        break;
    default:
        return CHORUS_ERR_INVALID_ARG;
    }
    CHORUS_C_BOUNDARY(nullptr, {
        auto qr = chorus::render_qr(text, s);
        if (!qr.ok()) return chorus::fail(nullptr, qr.error());
        *out = chorus_dup_string(qr->view());
        return *out != nullptr ? CHORUS_OK : CHORUS_ERR_NOMEM;
    })
}

}  // extern "C"
