// SPDX-License-Identifier: BSD-2-Clause
#include "flows/login_delegated.hpp"

#include <pwd.h>
#include <unistd.h>

#include <vector>

#include "flows/check_helper.hpp"

namespace chorus {
namespace {

class RefusingStore final : public Store {
public:
    Result<std::unique_ptr<UserTxn>> begin(std::string_view) override { return refuse(); }
    Result<std::vector<std::string>> list_users() override { return refuse(); }

private:
    static Error refuse() {
        return make_error(Errc::permission,
                          "Chorus state is readable by root only; this caller goes through chorus-check");
    }
};

// chorus-check answers for the real uid only: asking about anyone else is a
// caller bug, and must fail rather than check the wrong account.
Status same_user(std::string_view user) {
    std::vector<char> buf(16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr ||
        user != pw.pw_name)
        return make_error(Errc::permission, "an unprivileged caller can only verify its own user");
    return {};
}

std::string minutes(std::int64_t s) {
    return std::to_string((s + 59) / 60);
}

}  // namespace

std::unique_ptr<Store> make_refusing_store() {
    return std::make_unique<RefusingStore>();
}

Result<LoginResult> delegated_authenticate(Context& ctx, std::string_view user, Prompter& p,
                                           const std::optional<SecretString>& preset_code) {
    CHORUS_RETURN_IF_ERROR(same_user(user));
    CHORUS_ASSIGN_OR_RETURN(CheckAnswer probe, run_check_helper(ctx, CheckOp::probe, ""));
    if (probe.status == CheckStatus::not_enrolled) return LoginResult::not_required;
    if (probe.status != CheckStatus::ok) return make_error(Errc::io, "chorus-check could not read the state");
    SecretString code;
    if (preset_code) {
        code = *preset_code;
    } else {
        CHORUS_ASSIGN_OR_RETURN(code, p.ask("Verification code: ", false));
    }
    CHORUS_ASSIGN_OR_RETURN(CheckAnswer a, run_check_helper(ctx, CheckOp::verify, code.view()));
    switch (a.status) {
    case CheckStatus::ok:
        return LoginResult::verified;
    case CheckStatus::bad_code:
        p.error("Wrong code.").ignore();
        return make_error(Errc::bad_code, "wrong code");
    case CheckStatus::replay:
        p.error("Code expired or already used. Wait for the next code.").ignore();
        return make_error(Errc::replay, "code expired or already used");
    case CheckStatus::locked:
        p.error("Too many attempts: try again in " + minutes(a.lock_remaining) + " minutes.").ignore();
        return make_error(Errc::locked, "too many failed attempts");
    default:
        return make_error(Errc::io, "chorus-check failed");
    }
}

Status delegated_account(Context& ctx, std::string_view user, Prompter& p) {
    CHORUS_RETURN_IF_ERROR(same_user(user));
    CHORUS_ASSIGN_OR_RETURN(CheckAnswer a, run_check_helper(ctx, CheckOp::account, ""));
    if (a.status == CheckStatus::ok || a.status == CheckStatus::not_enrolled) return {};
    if (a.status == CheckStatus::locked) {
        p.error("Too many attempts: try again in " + minutes(a.lock_remaining) + " minutes.").ignore();
        return make_error(Errc::locked, "account locked after failed codes");
    }
    return make_error(Errc::io, "chorus-check failed");
}

}  // namespace chorus
