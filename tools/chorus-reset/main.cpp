// SPDX-License-Identifier: BSD-2-Clause
// chorus-reset: the self-service reset of a forgotten password (the seed's
// "Forgot password" flow for Linux accounts). Setuid root, so that it can be
// the ForceCommand of a dedicated ssh account or run on a console. Reads like
// a table of contents: hygiene, options, the steps in order. See
// chorus-reset(8) and docs/RESET.md.
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chorus-reset/reset.hpp"
#include "common/args.hpp"
#include "common/handles.hpp"
#include "common/output.hpp"

#ifndef CHORUS_VERSION
#define CHORUS_VERSION "unknown"
#endif

namespace reset_tool {
namespace {

using chorus_tools::ArgKind;

constexpr const char* kUsage =
    "Usage: chorus-reset [--ascii] [--batch] [--config FILE] [--debug]\n"
    "       chorus-reset --help | --version\n"
    "Resets a forgotten password after a code sent by email and a second\n"
    "registered method. --config and --debug are for root only. See chorus-reset(8).\n";

const std::vector<chorus_tools::OptSpec> kSpecs = {{"ascii", ArgKind::flag},      {"batch", ArgKind::flag},
                                                   {"config", ArgKind::required}, {"debug", ArgKind::flag},
                                                   {"help", ArgKind::flag},       {"version", ArgKind::flag}};

// Library messages: always to syslog (the audit trail); with --debug (root
// only) to stderr as well.
chorus_tools::LogSink g_sink{kProg, true};
bool g_debug = false;
void log_sink(void*, int priority, const char* message) {
    syslog(priority, "%s", message != nullptr ? message : "");
    if (g_debug) chorus_tools::stderr_log(&g_sink, priority, message);
}

std::string name_of_uid(uid_t uid) {
    const struct passwd* pw = ::getpwuid(uid);
    return pw != nullptr && pw->pw_name != nullptr ? pw->pw_name : std::to_string(uid);
}

// The GECOS field of user, for the "no parts of your name" rule. False when
// the account is not in the passwd database (state without an account).
bool gecos_of(const char* user, std::string& gecos) {
    struct passwd pw {};
    struct passwd* res = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(user, &pw, buf.data(), buf.size(), &res) != 0 || res == nullptr) return false;
    gecos = pw.pw_gecos != nullptr ? pw.pw_gecos : "";
    return true;
}

int run(const Io& io, chorus_ctx_t* ctx, const std::string& invoker) {
    chorus_tools::Reset reset;
    if (int st = step_identify(io, ctx, reset.out()); st != kExitOk) return st;
    if (int st = step_email_code(io, ctx, reset.get()); st != kExitOk) return st;
    if (int st = step_second_factor(io, ctx, reset.get()); st != kExitOk) return st;
    const char* user = chorus_reset_user(reset.get());
    std::string gecos;
    if (user == nullptr || !gecos_of(user, gecos)) {
        say("This account cannot be reset here: ask your administrator.");
        return kExitFail;
    }
    chorus_tools::SecretBuffer password(kMaxPassword);
    switch (read_new_password(io, ctx, user, gecos.c_str(), password)) {
    case Entry::ok:
        break;
    case Entry::cancelled:
        say("Reset cancelled. Your password has not changed.");
        return kExitFail;
    case Entry::failed:
        say("Something went wrong and the reset cannot continue. Try again later.");
        return kExitFail;
    }
    const bool set = set_password_with_pam(user, password.c_str(), invoker);
    password.clear();
    if (!set) return kExitFail;
    if (chorus_reset_finish(ctx, reset.get()) != CHORUS_OK) {
        say("Your password has been reset, but the account could not be unlocked: "
            "if logging in fails, ask your administrator.");
        return kExitFail;
    }
    say("Your password has been reset. You can log in now.");
    return kExitOk;
}

}  // namespace
}  // namespace reset_tool

int main(int argc, char** argv) {
    using namespace reset_tool;
    harden_process();
    openlog(kProg, LOG_PID, LOG_AUTHPRIV);
    if (argc < 1 || argv[0] == nullptr) return kExitUsage;
    const uid_t ruid = ::getuid();
    const std::string invoker = name_of_uid(ruid);

    const auto pa = chorus_tools::parse_args(argc, argv, 1, kSpecs);
    if (!pa.error.empty() || !pa.operands.empty()) {
        std::fprintf(stderr, "%s: %s\n%s", kProg,
                     pa.error.empty() ? "no arguments expected" : pa.error.c_str(), kUsage);
        return kExitUsage;
    }
    if (pa.has("help")) {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (pa.has("version")) {
        std::printf("chorus-reset %s\n", CHORUS_VERSION);
        return kExitOk;
    }
    // Real uid: a setuid copy must not let a user pick the configuration
    // (and so the state and the delivery helper) or read debug output.
    const char* config = nullptr;
    if (const auto* c = pa.last("config")) config = c->value->data();  // from argv: NUL-terminated
    if ((config != nullptr || pa.has("debug")) && ruid != 0) {
        std::fprintf(stderr, "%s: --config and --debug are for root only\n", kProg);
        return kExitUsage;
    }
    g_debug = pa.has("debug");
    const bool batch = pa.has("batch");
    if (!batch && (::isatty(STDIN_FILENO) != 1 || ::isatty(STDOUT_FILENO) != 1)) {
        std::fprintf(stderr, "%s: needs a terminal (log in with a terminal, e.g. ssh -t)\n", kProg);
        return kExitFail;
    }
    if (!become_root()) {
        std::fprintf(stderr, "%s: must be installed setuid root\n", kProg);
        return kExitFail;
    }
    guard_terminal();
    const Io io = choose_io(batch, pa.has("ascii"));
    syslog(LOG_NOTICE, "started by %s (uid %u)%s", invoker.c_str(), static_cast<unsigned>(ruid),
           batch ? " in batch mode" : "");

    chorus_tools::Ctx ctx;
    const int rc = chorus_ctx_new(ctx.out(), config, log_sink, nullptr, g_debug ? CHORUS_CTX_DEBUG : 0U);
    if (rc != CHORUS_OK) {
        syslog(LOG_ERR, "cannot open the configuration and state: %s", chorus_strerror(rc));
        say("Password reset is not available right now. Try again later.");
        return kExitFail;
    }
    say("Reset a forgotten password.");
    const int status = run(io, ctx.get(), invoker);
    restore_terminal();
    flush_out();
    return status;
}
