// SPDX-License-Identifier: BSD-2-Clause
#include "flows/failmode.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "flows/enroll.hpp"
#include "flows/verify.hpp"

namespace chorus {
namespace {

// A context over the host-local break-glass store: a plain file store,
// separate from (and never replaced by) the fleet store.
Result<std::unique_ptr<Context>> break_glass_context(const Context& ctx) {
    if (ctx.config.failmode.break_glass_path.empty())
        return make_error(Errc::unsupported, "no break-glass store (failmode.break_glass_path)");
    auto local = std::make_unique<Context>();
    local->config = ctx.config;
    local->config.store = StoreConfig{};
    local->config.store.path = ctx.config.failmode.break_glass_path;
    local->log = ctx.log;
    local->clock = ctx.clock;
    CHORUS_ASSIGN_OR_RETURN(local->store, open_store(local->config.store));
    return local;
}

// A user name for a log line (the logger escapes control bytes).
std::string name_of(std::string_view user) {
    return std::string(user.substr(0, 256));
}

}  // namespace

bool is_console_tty(const std::vector<std::string>& patterns, std::string_view tty) {
    std::string name(tty);
    if (name.rfind("/dev/", 0) == 0) name.erase(0, 5);
    if (name.empty() || name.find('/') != std::string::npos) return false;  // pts/3 is never a console
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return ::fnmatch(p.c_str(), name.c_str(), 0) == 0; });
}

bool caller_can_signal_us() {
    uid_t real = 0, effective = 0, saved = 0;
    if (::getresuid(&real, &effective, &saved) != 0) return true;
    return real != 0 || effective != 0 || saved != 0;
}

std::optional<std::string> failmode_admits(const Context& ctx, const std::vector<std::string>& groups) {
    const FailmodeConfig& f = ctx.config.failmode;
    // A process whose caller may signal it (su, sudo: the real uid is the
    // user's) can be stopped past the connect timeout, which looks exactly
    // like an outage. Only logins run by root throughout (sshd, login, a
    // display manager) get these doors; a break-glass code proves a secret
    // and stays open to everyone.
    if (caller_can_signal_us()) return std::nullopt;
    for (const std::string& g : f.allow_groups)
        if (std::find(groups.begin(), groups.end(), g) != groups.end()) return "group " + g;
    // A remote host named by the application means it is not the console,
    // whatever tty it reports.
    if (f.allow_console && ctx.origin.rhost.empty() && is_console_tty(f.console_ttys, ctx.origin.tty))
        return "console " + ctx.origin.tty;
    return std::nullopt;
}

bool break_glass_configured(const Context& ctx) {
    return !ctx.config.failmode.break_glass_path.empty();
}

Status break_glass_verify(Context& ctx, std::string_view user, std::string_view code) {
    if (!break_glass_configured(ctx)) return make_error(Errc::bad_code, "wrong code");
    CHORUS_ASSIGN_OR_RETURN(std::unique_ptr<Context> local, break_glass_context(ctx));
    VerifyOutcome outcome;
    CHORUS_RETURN_IF_ERROR(verify_code(*local, user, code, outcome));
    // Only its single-use codes: a TOTP key in a reused old file store may be
    // one the user has since replaced in the fleet.
    if (outcome.method != CodeMethod::recovery) return make_error(Errc::bad_code, "wrong code");
    return {};
}

Result<std::vector<SecretString>> break_glass_renew(Context& ctx, std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(std::unique_ptr<Context> local, break_glass_context(ctx));
    return recovery_codes_renew(*local, user);
}

bool admit_by_failmode(Context& ctx, std::string_view user, const std::vector<std::string>& groups,
                       Prompter& p, const Error& cause) {
    std::optional<std::string> reason = failmode_admits(ctx, groups);
    const FailmodeConfig& f = ctx.config.failmode;
    if (!reason && caller_can_signal_us() && (f.allow_console || !f.allow_groups.empty()))
        ctx.log.logf(LogLevel::notice,
                     "state store unreachable (%s); failmode groups and console are not honoured for %s in a "
                     "process its caller can stop (real uid %u): only a break-glass code works here",
                     cause.message.c_str(), name_of(user).c_str(), static_cast<unsigned>(::getuid()));
    if (!reason) return false;
    ctx.log.logf(LogLevel::warning,
                 "state store unreachable (%s); %s let in without a second factor by failmode (%s)",
                 cause.message.c_str(), name_of(user).c_str(), reason->c_str());
    p.info("Two-step verification is unreachable: signed in under the emergency policy.").ignore();
    return true;
}

Result<LoginResult> authenticate_unreachable(Context& ctx, std::string_view user,
                                             const std::vector<std::string>* groups, Prompter& p,
                                             std::string_view code, const Error& cause) {
    if (groups != nullptr && admit_by_failmode(ctx, user, *groups, p, cause)) return LoginResult::failmode;
    Status st = make_error(Errc::bad_code, "no break-glass store");
    if (break_glass_configured(ctx) && !code.empty()) st = break_glass_verify(ctx, user, code);
    if (!st.ok()) {
        if (break_glass_configured(ctx))
            ctx.log.logf(LogLevel::notice,
                         "state store unreachable (%s); no break-glass code accepted for %s: %s",
                         cause.message.c_str(), name_of(user).c_str(), st.error().message.c_str());
        p.error("Verification is unavailable right now. Contact your administrator.").ignore();
        // The store's failure is the answer (PAM_AUTHINFO_UNAVAIL), unless the
        // break-glass store itself refused (locked, broken).
        return st.code() == Errc::bad_code ? cause : std::move(st).error();
    }
    ctx.log.logf(LogLevel::warning, "state store unreachable (%s); %s signed in with a break-glass code",
                 cause.message.c_str(), name_of(user).c_str());
    p.info("Break-glass code accepted; it cannot be used again.").ignore();
    return LoginResult::break_glass;
}

Status account_unreachable(Context& ctx, std::string_view user, const std::vector<std::string>& groups,
                           bool after_break_glass, const Error& cause) {
    std::optional<std::string> reason = failmode_admits(ctx, groups);
    if (!reason && after_break_glass) reason = "break-glass code";
    if (!reason) return cause;
    ctx.log.logf(LogLevel::warning, "state store unreachable (%s); account of %s allowed by failmode (%s)",
                 cause.message.c_str(), name_of(user).c_str(), reason->c_str());
    return {};
}

}  // namespace chorus
