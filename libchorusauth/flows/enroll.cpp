// SPDX-License-Identifier: BSD-2-Clause
#include "flows/enroll.hpp"

#include "flows/admin.hpp"
#include "flows/apps.hpp"
#include "flows/recovery_codes.hpp"
#include "flows/verify.hpp"
#include "otp/base32.hpp"
#include "otp/otpauth_uri.hpp"
#include "otp/secret.hpp"

namespace chorus {

Result<PendingEnrollment> enrollment_prepare(const Context& ctx, std::string_view user,
                                             const EnrollRequest& req) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    const OtpConfig& oc = ctx.config.otp;
    PendingEnrollment e;
    e.user = std::string(user);
    e.key.params.algorithm = req.algorithm.value_or(oc.algorithm);
    e.key.params.digits = req.digits != 0 ? req.digits : oc.digits;
    e.key.params.period = req.period != 0 ? req.period : oc.period;
    e.key.window = req.window;
    if (e.key.params.digits < 6 || e.key.params.digits > 8)
        return make_error(Errc::invalid_argument, "digits must be 6, 7 or 8");
    if (e.key.params.period < 15 || e.key.params.period > 300)
        return make_error(Errc::invalid_argument, "period must be 15 to 300 seconds");
    if (req.secret_base32.empty()) {
        CHORUS_ASSIGN_OR_RETURN(e.key.secret, generate_secret(e.key.params.algorithm, oc.secret_bytes));
    } else {
        CHORUS_ASSIGN_OR_RETURN(e.key.secret, base32_decode(req.secret_base32));
        if (e.key.secret.size() < 10)
            return make_error(Errc::invalid_argument, "secret shorter than 80 bits");
    }
    SecretString b32 = base32_encode(e.key.secret);
    std::string grouped = group_base32(b32.view());
    e.secret_display = SecretString(grouped);
    secure_wipe(grouped.data(), grouped.size());
    CHORUS_ASSIGN_OR_RETURN(e.uri, make_otpauth_uri(oc.issuer, e.user, e.key.secret, e.key.params));
    return e;
}

Result<std::uint64_t> enrollment_check(const Context& ctx, const PendingEnrollment& e,
                                       std::string_view code) {
    int window = e.key.window >= 0 ? e.key.window : ctx.config.otp.window;
    auto step = totp_match(e.key.params, e.key.secret.data(), e.key.secret.size(), code,
                           totp_step(ctx.now(), e.key.params.period), window);
    if (!step) return make_error(Errc::bad_code, "the code does not match the new key");
    return *step;
}

Status enrollment_commit(Context& ctx, const PendingEnrollment& e, std::string_view code, CommitMode mode) {
    std::uint64_t used_step = 0;
    if (!code.empty()) {
        CHORUS_ASSIGN_OR_RETURN(used_step, enrollment_check(ctx, e, code));
    }
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(e.user));
    // An unreadable record is refused, not replaced: it may hold recovery
    // codes and history; only `unenroll --all` discards it, on purpose.
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, read_record(*txn, e.user));
    // The lock was not held while the key was shown and the code typed: a
    // login that holds only the password must not replace a key the owner
    // registered meanwhile.
    if (mode == CommitMode::only_if_unregistered && existing && existing->has_method())
        return make_error(Errc::permission, "a method was registered meanwhile; not replacing it");
    UserRecord rec = existing ? std::move(*existing) : UserRecord{};
    if (mode == CommitMode::add && rec.totp) {
        // Beside the first app: its own step, kept in the record.
        CHORUS_ASSIGN_OR_RETURN(std::string name, name_for_new_app(rec, e.app_name));
        rec.more_apps.push_back(AppKey{std::move(name), e.key, used_step});
        CHORUS_RETURN_IF_ERROR(txn->put_record(rec));
        ctx.log.logf(LogLevel::notice, "authenticator app %zu registered for %s", rec.app_count(),
                     e.user.c_str());
        return {};
    }
    if (!e.app_name.empty()) CHORUS_RETURN_IF_ERROR(check_app_name(UserRecord{}, e.app_name));
    rec.totp = e.key;
    rec.totp_name = e.app_name;
    rec.more_apps.clear();  // replace: this app is now the only one
    rec.enrolled_at = ctx.now();
    CHORUS_RETURN_IF_ERROR(txn->put_record(rec));
    // A new key starts a new step sequence; a confirmed code is spent.
    CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
    live.last_step = used_step;
    live.failures = 0;
    live.first_failure_at = 0;
    live.locked_until = 0;
    CHORUS_RETURN_IF_ERROR(txn->put_live(live));
    ctx.log.logf(LogLevel::notice, "TOTP key registered for %s", e.user.c_str());
    return {};
}

namespace {

Status store_recovery_codes(Context& ctx, std::string_view user, const std::vector<SecretString>& codes) {
    std::vector<HashedCode> hashed;
    for (const auto& c : codes) {
        SecretString n = normalize_code(c.view());
        if (n.empty() || n.size() > kMaxCodeInput)
            return make_error(Errc::invalid_argument, "recovery code of bad length");
        CHORUS_ASSIGN_OR_RETURN(std::string h, hash_code(n.view()));
        hashed.push_back(HashedCode{std::move(h)});
    }
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, read_record(*txn, user));
    UserRecord rec = existing ? std::move(*existing) : UserRecord{};
    rec.recovery = std::move(hashed);
    return txn->put_record(rec);
}

}  // namespace

Result<std::vector<SecretString>> recovery_codes_renew(Context& ctx, std::string_view user) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    int count = ctx.config.enrollment.recovery_codes;
    if (count <= 0)
        return make_error(Errc::unsupported, "recovery codes are disabled (enrollment.recovery_codes: 0)");
    CHORUS_ASSIGN_OR_RETURN(auto codes, generate_recovery_codes(count));
    CHORUS_RETURN_IF_ERROR(store_recovery_codes(ctx, user, codes));
    ctx.log.logf(LogLevel::notice, "new recovery codes made for %.*s", static_cast<int>(user.size()),
                 user.data());
    return codes;
}

Status recovery_codes_import(Context& ctx, std::string_view user, const std::vector<SecretString>& codes) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_RETURN_IF_ERROR(store_recovery_codes(ctx, user, codes));
    ctx.log.logf(LogLevel::notice, "%zu recovery codes imported for %.*s", codes.size(),
                 static_cast<int>(user.size()), user.data());
    return {};
}

}  // namespace chorus
