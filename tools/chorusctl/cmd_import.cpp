// SPDX-License-Identifier: BSD-2-Clause
// chorusctl import-google-authenticator USER FILE: migrates the key, step
// size, window and scratch codes of a ~/.google_authenticator file. A user
// who has an app already gets this one beside it (--force: instead of it).
#include <cstdio>
#include <string>
#include <vector>

#include "chorusctl/chorusctl.hpp"
#include "chorusctl/ga_file.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// Settings Chorus does not take over, said once on stderr.
void report_ignored(const GaFile& ga) {
    if (ga.disallow_reuse)
        std::fprintf(stderr, "chorusctl: ignored: DISALLOW_REUSE (Chorus always refuses reuse)\n");
    else if (ga.totp_auth)
        std::fprintf(stderr, "chorusctl: ignored: reuse allowed in the file (Chorus always refuses reuse)\n");
    if (!ga.rate_limit.empty())
        std::fprintf(stderr,
                     "chorusctl: ignored: RATE_LIMIT %s (Chorus uses lockout.* from its configuration)\n",
                     escape_text(ga.rate_limit).c_str());
    for (const auto& u : ga.unknown)
        std::fprintf(stderr, "chorusctl: ignored: unknown option %s\n", u.c_str());
}

}  // namespace

int cmd_import_ga(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("import-google-authenticator"), argc, argv, first,
                       {{"force", ArgKind::flag}, {"name", ArgKind::required}}, 2, 2, pa))
        return kExitUsage;
    const std::string user(pa.operands[0]);
    const std::string path(pa.operands[1]);
    const std::string what = "import-google-authenticator " + escape_text(user);

    GaFile ga;
    std::string error;
    {
        chorus_tools::SecretBuffer text(4096);
        if (!read_ga_file(path.c_str(), text, error))
            return complain(kExitFail, what + ": " + escape_text(path) + ": " + error);
        if (!parse_ga_file(text.view(), ga, error))
            return complain(kExitFail, what + ": " + escape_text(path) + ": " + error);
    }
    if (ga.hotp)
        return complain(kExitFail,
                        what + ": " + escape_text(path) +
                            " is a counter-based (HOTP) file; Chorus supports time-based (TOTP) "
                            "codes only: register the user anew with chorusctl enroll or chorus-enroll");
    if (!ga.totp_auth)
        std::fprintf(stderr, "chorusctl: note: no TOTP_AUTH line; taking the key as time-based\n");
    report_ignored(ga);

    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::StatusH old;
    const bool has_status = chorus_status_get(ctx.get(), user.c_str(), old.out()) == CHORUS_OK;
    const bool add = !pa.has("force") && has_status && chorus_status_has_totp(old.get()) != 0;
    const bool keep_codes = add && chorus_status_recovery_left(old.get()) > 0;
    std::string name = "google-authenticator";
    if (const auto* v = pa.last("name")) name = std::string(*v->value);

    // google-authenticator keys are always HMAC-SHA1 with 6 digits.
    chorus_totp_opts opts{};
    opts.secret_base32 = ga.secret.c_str();
    opts.algorithm = "sha1";
    opts.digits = 6;
    opts.period = ga.step_size;
    chorus_tools::Enrollment e;
    int rc = chorus_enrollment_new(ctx.get(), user.c_str(), &opts, e.out());
    ga.secret.clear();
    if (rc != CHORUS_OK) return fail(ctx.get(), what, rc);
    const int window = ga.window_size > 0 ? ga_window_to_chorus(ga.window_size) : -1;
    if (window >= 0 && (rc = chorus_enrollment_set_window(e.get(), window)) != CHORUS_OK)
        return fail(ctx.get(), what + ": window", rc);
    rc = add ? chorus_enrollment_add(ctx.get(), e.get(), "", name.c_str())
             : chorus_enrollment_commit(ctx.get(), e.get(), nullptr);
    if (rc != CHORUS_OK) return fail(ctx.get(), what, rc);
    if (!add && pa.has("name") &&
        (rc = chorus_app_rename(ctx.get(), user.c_str(), "1", name.c_str())) != CHORUS_OK)
        return fail(ctx.get(), what + ": naming the app (the key was imported)", rc);

    const std::string u = escape_text(user);
    if (add)
        std::printf("%s already had an app: imported as another one, \"%s\"\n", u.c_str(),
                    escape_text(name).c_str());
    if (window >= 0)
        std::printf(
            "imported %s: TOTP sha1, 6 digits, %d s period, window %d step(s) each side (WINDOW_SIZE %d)\n",
            u.c_str(), ga.step_size, window, ga.window_size);
    else
        std::printf("imported %s: TOTP sha1, 6 digits, %d s period, configured window\n", u.c_str(),
                    ga.step_size);

    if (!ga.scratch.empty() && keep_codes) {
        std::printf("%s has recovery codes: the file's %zu scratch code(s) were not imported\n", u.c_str(),
                    ga.scratch.size());
    } else if (!ga.scratch.empty()) {
        std::vector<const char*> codes;
        for (const auto& c : ga.scratch) codes.push_back(c.data());
        rc = chorus_recovery_codes_import(ctx.get(), user.c_str(), codes.data(), codes.size());
        if (rc != CHORUS_OK) return fail(ctx.get(), what + ": scratch codes (the key was imported)", rc);
        std::printf("imported %zu scratch code(s) as recovery codes\n", codes.size());
    } else {
        std::printf("no scratch codes in the file; recovery codes left as they were\n");
    }
    std::fprintf(stderr,
                 "chorusctl: %s still holds the key: remove it once the user has logged in through Chorus\n",
                 escape_text(path).c_str());
    return kExitOk;
}

}  // namespace chorusctl
