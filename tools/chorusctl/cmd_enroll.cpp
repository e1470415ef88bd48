// SPDX-License-Identifier: BSD-2-Clause
// chorusctl enroll, recovery-codes, break-glass: provisioning by an administrator.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "chorusctl/chorusctl.hpp"
#include "common/secret.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

bool parse_qr_style(const chorus_tools::ParsedOpt& o, chorus_qr_style& style) {
    if (!o.value || *o.value == "utf8") {
        style = CHORUS_QR_UTF8;
    } else if (*o.value == "ansi") {
        style = CHORUS_QR_ANSI;
    } else if (*o.value == "ascii") {
        style = CHORUS_QR_ASCII;
    } else {
        return false;
    }
    return true;
}

// True when user already has a TOTP key (a failure to read counts as "no":
// the commit will then report the real problem).
bool has_totp(chorus_ctx_t* ctx, const char* user) {
    chorus_tools::StatusH st;
    return chorus_status_get(ctx, user, st.out()) == CHORUS_OK && chorus_status_has_totp(st.get()) != 0;
}

}  // namespace

// Shared with import-google-authenticator: prints what an enrollment made.
void print_enrollment(chorus_ctx_t* ctx, const chorus_enrollment_t* e, const char* user) {
    std::string u = escape_text(user);
    chorus_tools::StatusH st;
    if (chorus_status_get(ctx, user, st.out()) == CHORUS_OK) {
        std::printf("enrolled %s: TOTP %s, %d digits, %d s period\n", u.c_str(),
                    chorus_status_algorithm(st.get()), chorus_status_digits(st.get()),
                    chorus_status_period(st.get()));
    } else {
        std::printf("enrolled %s\n", u.c_str());
    }
    std::printf("key: %s\n", chorus_enrollment_secret_display(e));
    std::string uri = escape_text(chorus_enrollment_uri(e));
    std::printf("uri: %s\n", uri.c_str());
}

int cmd_enroll(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("enroll"), argc, argv, first,
                       {{"secret", ArgKind::required},
                        {"algorithm", ArgKind::required},
                        {"digits", ArgKind::required},
                        {"period", ArgKind::required},
                        {"qr", ArgKind::optional},
                        {"force", ArgKind::flag},
                        {"add", ArgKind::flag},
                        {"name", ArgKind::required}},
                       1, 1, pa))
        return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_totp_opts opts{};
    std::string algorithm;
    if (const auto* o = pa.last("algorithm")) {
        algorithm = std::string(*o->value);
        if (algorithm != "sha1" && algorithm != "sha256" && algorithm != "sha512")
            return complain(kExitUsage, "--algorithm must be sha1, sha256 or sha512");
        opts.algorithm = algorithm.c_str();
    }
    if (const auto* o = pa.last("digits"); o != nullptr && !parse_int(*o->value, 6, 8, opts.digits))
        return complain(kExitUsage, "--digits must be 6, 7 or 8");
    if (const auto* o = pa.last("period"); o != nullptr && !parse_int(*o->value, 1, 86400, opts.period))
        return complain(kExitUsage, "--period must be a number of seconds");
    chorus_qr_style style = CHORUS_QR_UTF8;
    const auto* qr = pa.last("qr");
    if (qr != nullptr && !parse_qr_style(*qr, style))
        return complain(kExitUsage, "--qr must be utf8, ansi or ascii");

    // The key: "-" reads it from stdin (kept out of ps and shell history);
    // a key given on the command line is wiped from argv once copied.
    chorus_tools::SecretBuffer secret(1024);
    if (const auto* o = pa.last("secret")) {
        if (*o->value == "-") {
            auto r = chorus_tools::read_secret_line(STDIN_FILENO, secret, true);
            if (r != chorus_tools::ReadLine::ok)
                return complain(kExitFail, std::string("reading the key from stdin: ") +
                                               chorus_tools::read_line_error(r));
        } else {
            for (char c : *o->value)
                if (!secret.append(c)) return complain(kExitUsage, "--secret is too long");
        }
        for (const auto& p : pa.opts)
            if (p.name == "secret" && p.value)
                chorus_tools::wipe(const_cast<char*>(p.value->data()), p.value->size());
        if (secret.empty()) return complain(kExitUsage, "--secret is empty");
        opts.secret_base32 = secret.c_str();
    }

    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const std::string what = "enroll " + escape_text(user);
    const bool add = pa.has("add");
    if (add && pa.has("force")) return complain(kExitUsage, "--add and --force: choose one");
    if (!add && !pa.has("force") && has_totp(ctx.get(), user.c_str()))
        return complain(kExitFail,
                        what + ": already has a TOTP key (--add for another app, --force to replace)");
    std::string name;
    if (const auto* v = pa.last("name")) name = std::string(*v->value);
    chorus_tools::Enrollment e;
    int rc = chorus_enrollment_new(ctx.get(), user.c_str(), &opts, e.out());
    secret.clear();
    if (rc != CHORUS_OK) return fail(ctx.get(), what, rc);
    // --add: beside the apps registered; otherwise this app is the only one.
    rc = add ? chorus_enrollment_add(ctx.get(), e.get(), "", name.c_str())
             : chorus_enrollment_commit(ctx.get(), e.get(), nullptr);
    if (rc != CHORUS_OK) return fail(ctx.get(), what, rc);
    if (!add && !name.empty() &&
        (rc = chorus_app_rename(ctx.get(), user.c_str(), "1", name.c_str())) != CHORUS_OK)
        return fail(ctx.get(), what + ": naming the app (the key was saved)", rc);
    print_enrollment(ctx.get(), e.get(), user.c_str());
    if (qr != nullptr) {
        chorus_tools::String art;
        rc = chorus_qr_render(chorus_enrollment_uri(e.get()), style, art.out());
        if (rc != CHORUS_OK) return fail(nullptr, what + ": QR code", rc);
        std::fputs(art.get(), stdout);
    }
    return kExitOk;
}

int cmd_recovery_codes(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("recovery-codes"), argc, argv, first, {}, 1, 1, pa))
        return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::StatusH st;
    if (chorus_status_get(ctx.get(), user.c_str(), st.out()) != CHORUS_OK ||
        !chorus_status_has_totp(st.get()))
        std::fprintf(stderr,
                     "chorusctl: note: %s has no authenticator app registered; these codes will be the "
                     "only second factor\n",
                     escape_text(user).c_str());
    chorus_tools::Strings codes;
    int rc = chorus_recovery_codes_new(ctx.get(), user.c_str(), codes.out(), codes.count_out());
    if (rc != CHORUS_OK) return fail(ctx.get(), "recovery-codes " + escape_text(user), rc);
    std::string u = escape_text(user);
    std::fprintf(stderr,
                 "New recovery codes for %s; each works once, the previous set no longer works.\n"
                 "They are shown only now:\n",
                 u.c_str());
    for (size_t i = 0; i < codes.size(); ++i) std::printf("%s\n", codes[i]);
    return kExitOk;
}

int cmd_break_glass(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("break-glass"), argc, argv, first, {}, 1, 1, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::Strings codes;
    int rc = chorus_break_glass_new(ctx.get(), user.c_str(), codes.out(), codes.count_out());
    if (rc != CHORUS_OK) return fail(ctx.get(), "break-glass " + escape_text(user), rc);
    std::fprintf(stderr,
                 "New break-glass codes for %s on this host; each works once, only while the fleet\n"
                 "store is unreachable, and the previous set no longer works. Keep them offline:\n",
                 escape_text(user).c_str());
    for (size_t i = 0; i < codes.size(); ++i) std::printf("%s\n", codes[i]);
    return kExitOk;
}

}  // namespace chorusctl
