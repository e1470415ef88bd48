// SPDX-License-Identifier: BSD-2-Clause
// chorusctl check-config, check-password: read-only checks anyone may run
// (check-password --user reads password history, so that needs root).
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chorusctl/chorusctl.hpp"
#include "common/output.hpp"
#include "common/secret.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// The GECOS field of user from the passwd database ("" when unknown).
std::string system_gecos(const std::string& user) {
    struct passwd pw {};
    struct passwd* res = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || res == nullptr ||
        pw.pw_gecos == nullptr)
        return "";
    return pw.pw_gecos;
}

}  // namespace

int cmd_check_config(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("check-config"), argc, argv, first, {}, 0, 1, pa)) return kExitUsage;
    std::string path;
    if (!pa.operands.empty())
        path = std::string(pa.operands[0]);
    else if (g.config != nullptr)
        path = g.config;
    chorus_tools::String message;
    int rc = chorus_config_validate(path.empty() ? nullptr : path.c_str(), message.out());
    const std::string shown = path.empty() ? "default configuration" : escape_text(path);
    if (rc == CHORUS_OK) {
        std::printf("%s: OK\n", shown.c_str());
        return kExitOk;
    }
    // Every error, one per line ("FILE:LINE:COLUMN: text").
    std::string text = message ? std::string(message.get()) : std::string();
    size_t pos = 0;
    bool any = false;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size();
        if (nl > pos) {
            std::fprintf(stderr, "%s\n", escape_text(std::string_view(text).substr(pos, nl - pos)).c_str());
            any = true;
        }
        pos = nl + 1;
    }
    if (!any) std::fprintf(stderr, "%s: %s\n", shown.c_str(), chorus_strerror(rc));
    std::fprintf(stderr, "chorusctl: check-config: %s is not valid\n", shown.c_str());
    return kExitFail;
}

int cmd_check_password(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("check-password"), argc, argv, first,
                       {{"user", ArgKind::required}, {"gecos", ArgKind::required}, {"reset", ArgKind::flag}},
                       0, 0, pa))
        return kExitUsage;
    std::string user;
    std::string gecos;
    if (const auto* o = pa.last("user")) {
        user = std::string(*o->value);
        if (user.empty()) return complain(kExitUsage, "--user needs a name");
        // The history check reads the user's state: administrators only.
        if (::getuid() != 0) return complain(kExitFail, "check-password --user must be run as root");
        gecos = system_gecos(user);
    }
    if (const auto* o = pa.last("gecos")) {
        // The library checks names only for a named user; a --gecos alone
        // would pass silently, so it is refused.
        if (user.empty()) return complain(kExitUsage, "--gecos needs --user");
        gecos = std::string(*o->value);
    }
    const chorus_pw_mode mode = pa.has("reset") ? CHORUS_PW_RESET : CHORUS_PW_CHANGE;

    chorus_tools::SecretBuffer password(8192);
    if (::isatty(STDIN_FILENO) == 1) std::fprintf(stderr, "Password: ");
    auto r = chorus_tools::read_secret_line(STDIN_FILENO, password, true);
    if (r == chorus_tools::ReadLine::eof) return complain(kExitUsage, "check-password: no password on stdin");
    if (r != chorus_tools::ReadLine::ok)
        return complain(kExitFail,
                        std::string("check-password: reading stdin: ") + chorus_tools::read_line_error(r));

    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::Checklist cl;
    int rc = chorus_password_check(ctx.get(), user.empty() ? nullptr : user.c_str(),
                                   gecos.empty() ? nullptr : gecos.c_str(), password.c_str(), mode, cl.out());
    password.clear();
    if (rc != CHORUS_OK) return fail(ctx.get(), "check-password", rc);
    const size_t unmet = chorus_tools::print_checklist(stdout, cl.get());
    if (chorus_checklist_ok(cl.get()) != 0 && unmet == 0) {
        std::printf("OK: the password meets every rule\n");
        return kExitOk;
    }
    std::printf("REFUSED: %zu of %zu rules not met\n", unmet, chorus_checklist_count(cl.get()));
    return kExitFail;
}

}  // namespace chorusctl
