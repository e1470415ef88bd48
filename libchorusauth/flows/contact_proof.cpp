// SPDX-License-Identifier: BSD-2-Clause
#include "flows/contact_proof.hpp"

#include <unistd.h>

#include "flows/admin.hpp"
#include "flows/contact.hpp"
#include "flows/deliver.hpp"
#include "flows/recovery_codes.hpp"
#include "flows/retry.hpp"

namespace chorus {
namespace {

constexpr int kProofCodeAttempts = 3;

struct SlotRef {
    std::string* value;
    std::int64_t* proven_at;
};

SlotRef slot_of(UserRecord& rec, ContactSlot slot) {
    switch (slot) {
    case ContactSlot::phone:
        return {&rec.phone, &rec.phone_proven_at};
    case ContactSlot::phone2:
        return {&rec.phone2, &rec.phone2_proven_at};
    case ContactSlot::email:
        break;
    }
    return {&rec.email, &rec.email_proven_at};
}

Result<std::string> normalize_for(ContactSlot slot, std::string_view value) {
    return slot == ContactSlot::email ? normalize_email(value) : normalize_phone(value);
}

Channel channel_for(ProofWay how) {
    switch (how) {
    case ProofWay::sms:
        return Channel::sms;
    case ProofWay::call:
        return Channel::voice;
    case ProofWay::email:
        break;
    }
    return Channel::email;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "this computer";
    return buf;
}

Status prove_by_code(Context& ctx, Channel ch, std::string_view to, Prompter& p) {
    CHORUS_ASSIGN_OR_RETURN(SecretString code, generate_numeric_code(6));
    SecretString body("Your confirmation code is ");
    body.raw() += code.view();
    body.raw() += ".";
    CHORUS_RETURN_IF_ERROR(deliver(ctx, ch, to, "Your confirmation code", body.view()));
    for (int attempt = 0; attempt < kProofCodeAttempts; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer,
                                p.ask("Enter the code we sent to " + std::string(to) + ": ", true));
        if (ct_equal(answer.view(), code.view())) return {};
        CHORUS_RETURN_IF_ERROR(p.error("That is not the code we sent."));
    }
    return make_error(Errc::bad_code, "confirmation code not entered");
}

// Whatever stored contacts a write should keep consistent: the alternate
// phone differs from the phone, and the default can still send.
Status put_contact(UserTxn& txn, UserRecord rec, ContactSlot slot, const std::string& value,
                   std::int64_t proven_at) {
    SlotRef ref = slot_of(rec, slot);
    if (*ref.value != value || proven_at > 0) *ref.proven_at = proven_at;
    *ref.value = value;
    if (value.empty()) *ref.proven_at = 0;
    if (!rec.phone.empty() && rec.phone == rec.phone2)
        return make_error(Errc::invalid_argument, "the alternate phone must differ from the phone");
    settle_default_method(rec);
    return txn.put_record(rec);
}

Status write_contact(Context& ctx, std::string_view user, ContactSlot slot, const std::string& value,
                     std::int64_t proven_at) {
    return retry_on_conflict([&]() -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, read_record(*txn, user));
        return put_contact(*txn, existing ? std::move(*existing) : UserRecord{}, slot, value, proven_at);
    });
}

// The way to prove a phone: the user's pick when SMS and calls both work.
Result<ProofWay> choose_phone_proof(Context& ctx, Prompter& p, std::string_view phone) {
    const bool sms = channel_configured(ctx.config.delivery, Channel::sms);
    const bool call = channel_configured(ctx.config.delivery, Channel::voice);
    if (!sms && !call) return make_error(Errc::unsupported, "neither SMS nor voice delivery is configured");
    if (!sms || !call) return sms ? ProofWay::sms : ProofWay::call;
    for (int attempt = 0; attempt < kProofCodeAttempts; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer, p.ask("How should we prove " + std::string(phone) +
                                                               "? 1) Text me a code  2) Call me [1]: ",
                                                           true));
        if (answer.empty() || answer.view() == "1") return ProofWay::sms;
        if (answer.view() == "2") return ProofWay::call;
        CHORUS_RETURN_IF_ERROR(p.error("Type 1 or 2."));
    }
    return make_error(Errc::invalid_argument, "no way to prove the phone was chosen");
}

}  // namespace

std::optional<ContactSlot> parse_contact_slot(std::string_view name) {
    if (name == "phone") return ContactSlot::phone;
    if (name == "phone2") return ContactSlot::phone2;
    if (name == "email") return ContactSlot::email;
    return std::nullopt;
}

std::optional<ProofWay> parse_proof_way(std::string_view name) {
    if (name == "sms") return ProofWay::sms;
    if (name == "call") return ProofWay::call;
    if (name == "email") return ProofWay::email;
    return std::nullopt;
}

std::string_view proven_phone(const UserRecord& rec, Method m) {
    const std::optional<PhoneSlot> slot = phone_slot_of(m);
    if (!slot) return {};
    if (*slot == PhoneSlot::primary) return rec.phone_proven_at > 0 ? std::string_view(rec.phone) : "";
    return rec.phone2_proven_at > 0 ? std::string_view(rec.phone2) : "";
}

std::string_view proven_email(const UserRecord& rec) {
    return rec.email_proven_at > 0 ? std::string_view(rec.email) : "";
}

Status prove_reachable(Context& ctx, ProofWay how, std::string_view to, std::string_view user, Prompter& p) {
    const Channel ch = channel_for(how);
    if (!channel_configured(ctx.config.delivery, ch))
        return make_error(Errc::unsupported, std::string(channel_name(ch)) + " delivery is not configured");
    if (how != ProofWay::call) return prove_by_code(ctx, ch, to, p);
    CHORUS_RETURN_IF_ERROR(
        p.info("We are calling " + std::string(to) + " now. Answer and press # to confirm."));
    const std::string message = "Press the pound key to confirm this phone number for " + std::string(user) +
                                " on " + host_name() + ".";
    if (Status st = deliver(ctx, Channel::voice, to, "", message); !st.ok()) {
        ctx.log.logf(LogLevel::notice, "phone not confirmed by call: %s", st.error().message.c_str());
        return make_error(Errc::bad_code, "the call was not answered with #");
    }
    return {};
}

Status prove_and_store_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                               std::optional<ProofWay> how, Prompter& p) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(std::string normalized, normalize_for(slot, value));
    if (!how && slot == ContactSlot::email) how = ProofWay::email;
    if (!how) {
        CHORUS_ASSIGN_OR_RETURN(how, choose_phone_proof(ctx, p, normalized));
    }
    if ((slot == ContactSlot::email) != (*how == ProofWay::email))
        return make_error(Errc::invalid_argument, slot == ContactSlot::email
                                                      ? "an email address is proven by email"
                                                      : "a phone is proven by sms or call");
    CHORUS_RETURN_IF_ERROR(prove_reachable(ctx, *how, normalized, user, p));
    CHORUS_RETURN_IF_ERROR(write_contact(ctx, user, slot, normalized, ctx.now()));
    ctx.log.logf(LogLevel::notice, "%s proven for %.*s", slot == ContactSlot::email ? "email" : "phone",
                 static_cast<int>(user.size()), user.data());
    return {};
}

Status register_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                        Prompter& p) {
    Status proven = prove_and_store_contact(ctx, user, slot, value, std::nullopt, p);
    if (proven.ok())
        return p.info(slot == ContactSlot::email ? "Email address proven." : "Phone number proven.");
    const Errc why = proven.code();
    if (why != Errc::unsupported && why != Errc::bad_code && why != Errc::io) return proven;
    CHORUS_RETURN_IF_ERROR(store_contact(ctx, user, slot, value));
    return p.info(std::string(why == Errc::unsupported ? "Codes cannot be sent from this system yet, so "
                                                       : "It was not proven, so ") +
                  (slot == ContactSlot::email ? "the address" : "the number") +
                  " is saved as not proven: nothing is sent to it until you prove it with chorus-enroll.");
}

Status store_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                     bool vouched) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    std::string normalized;
    if (!value.empty()) {
        CHORUS_ASSIGN_OR_RETURN(normalized, normalize_for(slot, value));
    }
    const bool proven = vouched && !normalized.empty();
    CHORUS_RETURN_IF_ERROR(write_contact(ctx, user, slot, normalized, proven ? ctx.now() : 0));
    if (proven)
        ctx.log.logf(LogLevel::notice, "%s of %.*s marked proven by an admin",
                     slot == ContactSlot::email ? "email" : "phone", static_cast<int>(user.size()),
                     user.data());
    return {};
}

void settle_default_method(UserRecord& rec) {
    const std::optional<Method> m = parse_method(rec.default_method);
    if ((m && channel_of(*m) && proven_phone(rec, *m).empty()) ||
        (m == Method::push && rec.push_devices.empty()))
        rec.default_method = std::string(method_name(Method::app));
}

}  // namespace chorus
