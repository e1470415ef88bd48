// SPDX-License-Identifier: BSD-2-Clause
// Proven contacts: a phone or an email address is used to send a code or to
// place a call only once the user showed they receive what goes there (a
// code typed back, a call answered with #). Anything else stored is kept and
// shown as "not proven", and nothing is ever sent to it.
#pragma once

#include <optional>
#include <string_view>

#include "flows/context.hpp"
#include "flows/method.hpp"
#include "flows/prompter.hpp"

namespace chorus {

// Where a contact is kept: "phone", "phone2" (the alternate phone), "email".
enum class ContactSlot { phone, phone2, email };
// How it is proven: "sms" or "call" for a phone, "email" for an address.
enum class ProofWay { sms, call, email };

std::optional<ContactSlot> parse_contact_slot(std::string_view name);
std::optional<ProofWay> parse_proof_way(std::string_view name);

// The number a sending method reaches, when that phone is proven; else "".
std::string_view proven_phone(const UserRecord& rec, Method m);
// The email address, when proven; else "".
std::string_view proven_email(const UserRecord& rec);

// Proves that whoever answers the prompter receives what goes to `to`: a
// 6-digit code sent by SMS or email and typed back (3 tries), or a call the
// callee approves with #. Errc::unsupported when that channel is not
// configured, Errc::bad_code when the proof failed.
Status prove_reachable(Context& ctx, ProofWay how, std::string_view to, std::string_view user, Prompter& p);

// Normalizes `value`, proves it by `how` and stores it in `slot` as proven
// now. Nothing is stored when the proof fails. A phone slot takes sms or
// call, the email slot takes email. Without `how`, a phone is proven the way
// the user picks ("Text me a code" / "Call me") among the channels that are
// configured, an email address by email.
Status prove_and_store_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                               std::optional<ProofWay> how, Prompter& p);

// What a registration does with a contact the user typed: prove it, and
// when that cannot be done (delivery not configured) or did not succeed,
// store it as not proven and say so. Errors are only those of the store.
Status register_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                        Prompter& p);

// Stores `value` (normalized; "" removes the contact) in `slot` as not
// proven, except that storing the value already there keeps its proof.
// `vouched`: an admin states it was proven another way (chorusctl
// set-phone --proven), and it is stored as proven now.
Status store_contact(Context& ctx, std::string_view user, ContactSlot slot, std::string_view value,
                     bool vouched = false);

// After a contact changed: a default method whose phone is not proven goes
// back to the app, since it could not send anything.
void settle_default_method(UserRecord& rec);

}  // namespace chorus
