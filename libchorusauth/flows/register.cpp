// SPDX-License-Identifier: BSD-2-Clause
#include "flows/register.hpp"

#include "flows/admin.hpp"
#include "flows/contact.hpp"
#include "flows/contact_proof.hpp"
#include "flows/enroll.hpp"
#include "flows/push_enroll.hpp"

namespace chorus {
namespace {

constexpr int kContactAttempts = 3;

Status show_key(const PendingEnrollment& e, Prompter& p, const RegisterOptions& opts) {
    std::string head =
        "Set up two-step verification for " + e.user + ".\n" +
        (opts.show_qr ? "Scan this QR code with your authenticator app (Google Authenticator,\n"
                        "Microsoft Authenticator, FreeOTP, Aegis, ...):\n"
                      : "Add this key to your authenticator app (Google Authenticator,\n"
                        "Microsoft Authenticator, FreeOTP, Aegis, ...).\n");
    CHORUS_RETURN_IF_ERROR(p.info(head));
    if (opts.show_qr) {
        auto qr = render_qr(e.uri.view(), opts.qr);
        if (qr.ok()) CHORUS_RETURN_IF_ERROR(p.info(qr->view()));
    }
    SecretString key_line("Or enter this key by hand: ");
    key_line.raw() += e.secret_display.view();
    key_line.raw() += "\n(time-based, ";
    key_line.raw() +=
        std::to_string(e.key.params.digits) + " digits, every " + std::to_string(e.key.params.period) + " s)";
    CHORUS_RETURN_IF_ERROR(p.info(key_line.view()));
    SecretString uri_line("Key URI: ");
    uri_line.raw() += e.uri.view();
    return p.info(uri_line.view());
}

// Asks for a code until it matches the new key. Returns the matching code,
// or nullopt when the user skipped (empty answer, when allowed).
Result<std::optional<SecretString>> confirm_code(Context& ctx, const PendingEnrollment& e, Prompter& p,
                                                 const RegisterOptions& opts) {
    const std::string prompt = "Enter the " + std::to_string(e.key.params.digits) +
                               "-digit code from your app" + (opts.allow_skip ? " (Enter to skip): " : ": ");
    for (int attempt = 0; attempt < opts.code_attempts; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer, p.ask(prompt, true));
        SecretString code;
        for (char c : answer.view())
            if (c != ' ') code.raw() += c;
        if (code.empty() && opts.allow_skip) return std::optional<SecretString>{};
        if (enrollment_check(ctx, e, code.view()).ok()) return std::optional<SecretString>{std::move(code)};
        CHORUS_RETURN_IF_ERROR(
            p.error("That code does not match. Check the clock of your phone and try the next code."));
    }
    return make_error(Errc::bad_code, "too many wrong confirmation codes");
}

template <typename Normalize>
Result<std::string> ask_contact(Prompter& p, std::string_view prompt, Normalize normalize) {
    for (int attempt = 0; attempt < kContactAttempts; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer, p.ask(prompt, true));
        if (answer.empty()) return std::string();
        auto value = normalize(answer.view());
        if (value.ok()) return std::move(value).value();
        CHORUS_RETURN_IF_ERROR(p.error(value.error().message));
    }
    return std::string();  // give up on this optional item, keep the registration
}

// The phone and email, each proven as it is given (flows/contact_proof.hpp).
Status offer_contacts(Context& ctx, std::string_view user, Prompter& p) {
    CHORUS_ASSIGN_OR_RETURN(
        std::string phone,
        ask_contact(p, "Phone number for codes by SMS or call, e.g. +64211234567 (Enter to skip): ",
                    normalize_phone));
    if (!phone.empty()) CHORUS_RETURN_IF_ERROR(register_contact(ctx, user, ContactSlot::phone, phone, p));
    CHORUS_ASSIGN_OR_RETURN(
        std::string email,
        ask_contact(p, "Email address for password resets (Enter to skip): ", normalize_email));
    if (!email.empty()) CHORUS_RETURN_IF_ERROR(register_contact(ctx, user, ContactSlot::email, email, p));
    return {};
}

Status show_recovery_codes(Context& ctx, std::string_view user, Prompter& p) {
    CHORUS_ASSIGN_OR_RETURN(auto codes, recovery_codes_renew(ctx, user));
    SecretString text(
        "Recovery codes: each works once, in place of a code from your app.\n"
        "Keep them somewhere safe; they are not shown again.\n");
    for (const auto& c : codes) {
        text.raw() += "    ";
        text.raw() += c.view();
        text.raw() += '\n';
    }
    return p.info(text.view());
}

// "1" (or Enter): an app code; "2": push. nullopt: the user chose push.
Result<bool> choose_app(Prompter& p) {
    CHORUS_RETURN_IF_ERROR(
        p.info("How will you confirm your sign-ins?\n"
               "  1) a code from an authenticator app (Google Authenticator, FreeOTP, Aegis, ...)\n"
               "  2) approve on your phone in the privacyIDEA Authenticator app"));
    for (int attempt = 0; attempt < 3; ++attempt) {
        CHORUS_ASSIGN_OR_RETURN(SecretString answer, p.ask("Choose 1 or 2 [1]: ", true));
        if (answer.empty() || answer.view() == "1") return true;
        if (answer.view() == "2") return false;
    }
    return true;
}

Result<RegisterResult> register_push(Context& ctx, std::string_view user, Prompter& p,
                                     const RegisterOptions& opts) {
    Status st = push_register(ctx, user, p, opts.qr, opts.show_qr, opts.only_if_unregistered);
    if (!st.ok() && opts.only_if_unregistered && st.code() == Errc::permission) {
        CHORUS_RETURN_IF_ERROR(
            p.error("Two-step verification was set up for this account in the meantime and was not changed. "
                    "Log in again with it."));
        return RegisterResult::registered_meanwhile;
    }
    if (!st.ok()) return std::move(st).error();
    // The phone is saved: recovery codes are the way in when it is lost.
    if (opts.recovery_codes && ctx.config.enrollment.recovery_codes > 0)
        CHORUS_RETURN_IF_ERROR(show_recovery_codes(ctx, user, p));
    CHORUS_RETURN_IF_ERROR(p.info("Two-step verification is set up."));
    return RegisterResult::registered;
}

}  // namespace

Result<RegisterResult> register_interactively(Context& ctx, std::string_view user, Prompter& p,
                                              const RegisterOptions& opts) {
    if (opts.offer_push && ctx.config.push.enabled) {
        CHORUS_ASSIGN_OR_RETURN(bool app, choose_app(p));
        if (!app) return register_push(ctx, user, p, opts);
    }
    CHORUS_ASSIGN_OR_RETURN(PendingEnrollment e, enrollment_prepare(ctx, user, EnrollRequest{}));
    CHORUS_RETURN_IF_ERROR(show_key(e, p, opts));
    CHORUS_ASSIGN_OR_RETURN(std::optional<SecretString> code, confirm_code(ctx, e, p, opts));
    if (!code) {
        CHORUS_RETURN_IF_ERROR(p.info("Registration skipped."));
        return RegisterResult::skipped;
    }
    const CommitMode mode =
        opts.only_if_unregistered ? CommitMode::only_if_unregistered : CommitMode::replace;
    if (Status st = enrollment_commit(ctx, e, code->view(), mode); !st.ok()) {
        if (!(opts.only_if_unregistered && st.code() == Errc::permission)) return std::move(st).error();
        CHORUS_RETURN_IF_ERROR(
            p.error("Two-step verification was set up for this account in the meantime and was not changed. "
                    "Log in again with its code."));
        return RegisterResult::registered_meanwhile;
    }
    CHORUS_RETURN_IF_ERROR(p.info("Your authenticator app is registered."));
    // The key is saved: problems with the optional steps below must not undo it.
    if (opts.ask_contacts) CHORUS_RETURN_IF_ERROR(offer_contacts(ctx, user, p));
    if (opts.recovery_codes && ctx.config.enrollment.recovery_codes > 0)
        CHORUS_RETURN_IF_ERROR(show_recovery_codes(ctx, user, p));
    CHORUS_RETURN_IF_ERROR(p.info("Two-step verification is set up."));
    return RegisterResult::registered;
}

}  // namespace chorus
