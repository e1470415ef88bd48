// SPDX-License-Identifier: BSD-2-Clause
// chorusctl apps, rename-app, remove-app: a user's authenticator apps.
#include <cstdio>
#include <string>

#include "chorusctl/chorusctl.hpp"
#include "common/handles.hpp"
#include "common/text.hpp"

namespace chorusctl {

using chorus_tools::escape_text;

int cmd_apps(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("apps"), argc, argv, first, {}, 1, 1, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::Strings names;
    const int rc = chorus_app_list(ctx.get(), user.c_str(), names.out(), names.count_out());
    if (rc != CHORUS_OK) return fail(ctx.get(), "apps " + escape_text(user), rc);
    // One line each: its number (what rename-app and remove-app also take) and its name.
    for (size_t i = 0; i < names.size(); ++i)
        std::printf("%zu\t%s\n", i + 1, *names[i] != '\0' ? escape_text(names[i]).c_str() : "(no name)");
    return kExitOk;
}

int cmd_rename_app(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("rename-app"), argc, argv, first, {}, 3, 3, pa)) return kExitUsage;
    const std::string user(pa.operands[0]), app(pa.operands[1]), name(pa.operands[2]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const int rc = chorus_app_rename(ctx.get(), user.c_str(), app.c_str(), name.c_str());
    if (rc != CHORUS_OK)
        return fail(ctx.get(), "rename-app " + escape_text(user) + " " + escape_text(app), rc);
    std::printf("%s: app %s renamed to %s\n", escape_text(user).c_str(), escape_text(app).c_str(),
                escape_text(name).c_str());
    return kExitOk;
}

int cmd_remove_app(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("remove-app"), argc, argv, first, {}, 2, 2, pa)) return kExitUsage;
    const std::string user(pa.operands[0]), app(pa.operands[1]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const int rc = chorus_app_remove(ctx.get(), user.c_str(), app.c_str());
    if (rc != CHORUS_OK)
        return fail(ctx.get(), "remove-app " + escape_text(user) + " " + escape_text(app), rc);
    std::printf("%s: app %s removed\n", escape_text(user).c_str(), escape_text(app).c_str());
    return kExitOk;
}

}  // namespace chorusctl
