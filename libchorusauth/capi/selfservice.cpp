// SPDX-License-Identifier: BSD-2-Clause
#include "capi/c_prompter.hpp"
#include "flows/contact_proof.hpp"
#include "flows/deliver.hpp"
#include "flows/method.hpp"
#include "flows/methods.hpp"
#include "flows/register.hpp"

extern "C" {

int chorus_register_interactive(chorus_ctx_t* h, const char* user, const chorus_prompter* prompter,
                                unsigned flags) {
    if (h == nullptr || user == nullptr || prompter == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::CPrompter p(*prompter);
        chorus::RegisterOptions opts;
        if ((flags & CHORUS_ACCOUNT_QR_ANSI) != 0) opts.qr = chorus::QrStyle::ansi;
        if ((flags & CHORUS_ACCOUNT_QR_ASCII) != 0) opts.qr = chorus::QrStyle::ascii;
        opts.show_qr = (flags & CHORUS_REGISTER_NO_QR) == 0;
        opts.ask_contacts = (flags & CHORUS_REGISTER_NO_CONTACTS) == 0;
        opts.recovery_codes = (flags & CHORUS_REGISTER_NO_RECOVERY) == 0;
        auto r = chorus::register_interactively(h->ctx, user, p, opts);
        return r.ok() ? CHORUS_OK : chorus::fail(h, r.error());
    })
}

int chorus_user_remove_method(chorus_ctx_t* h, const char* user, const char* method) {
    if (h == nullptr || user == nullptr || method == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::remove_method(h->ctx, user, method);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_user_set_default_method(chorus_ctx_t* h, const char* user, const char* method) {
    if (h == nullptr || user == nullptr || method == nullptr) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        chorus::Status st = chorus::set_default_method(h->ctx, user, method);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_user_store_contact(chorus_ctx_t* h, const char* user, const char* which, const char* value,
                              int proven) {
    if (h == nullptr || user == nullptr || which == nullptr || value == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        const auto slot = chorus::parse_contact_slot(which);
        if (!slot) return CHORUS_ERR_INVALID_ARG;
        chorus::Status st = chorus::store_contact(h->ctx, user, *slot, value, proven != 0);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_user_prove_contact(chorus_ctx_t* h, const char* user, const char* which, const char* value,
                              const char* how, const chorus_prompter* prompter) {
    if (h == nullptr || user == nullptr || which == nullptr || value == nullptr || prompter == nullptr)
        return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(h, {
        const auto slot = chorus::parse_contact_slot(which);
        std::optional<chorus::ProofWay> way;
        if (how != nullptr) way = chorus::parse_proof_way(how);
        if (!slot || (how != nullptr && !way)) return CHORUS_ERR_INVALID_ARG;
        chorus::CPrompter p(*prompter);
        chorus::Status st = chorus::prove_and_store_contact(h->ctx, user, *slot, value, way, p);
        return st.ok() ? CHORUS_OK : chorus::fail(h, st.error());
    })
}

int chorus_channel_configured(chorus_ctx_t* h, const char* channel) {
    if (h == nullptr || channel == nullptr) return 0;
    const std::string_view c = channel;
    chorus::Channel ch = chorus::Channel::email;
    if (c == "sms")
        ch = chorus::Channel::sms;
    else if (c == "voice" || c == "call")
        ch = chorus::Channel::voice;
    else if (c != "email")
        return 0;
    return chorus::channel_configured(h->ctx.config.delivery, ch) ? 1 : 0;
}

int chorus_method_name_valid(const char* name) {
    return name != nullptr && chorus::parse_method(name).has_value() ? 1 : 0;
}

int chorus_registration_name_valid(const char* name) {
    return name != nullptr && chorus::parse_registration(name).has_value() ? 1 : 0;
}

}  // extern "C"
