// SPDX-License-Identifier: BSD-2-Clause
// chorusctl db init|migrate|status and migrate-store --from file --to
// postgresql. The SQL lives in the PostgreSQL store plugin, which the
// library loads with the checks a login applies (chorus_store_admin).
#include <string>

#include "chorusctl/chorusctl.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// The plugin path of --plugin (absolute), or NULL for the installed one; the
// library loads and checks it (chorus_store_admin). false: usage error given.
bool plugin_path(const chorus_tools::ParsedArgs& pa, std::string& out, const char*& path) {
    path = nullptr;
    const auto* opt = pa.last("plugin");
    if (opt == nullptr) return true;
    out = std::string(*opt->value);
    if (out.empty() || out[0] != '/') {
        complain(kExitUsage, "--plugin needs an absolute path");
        return false;
    }
    path = out.c_str();
    return true;
}

int run_admin(const Globals& g, const chorus_tools::ParsedArgs& pa, const char* action) {
    std::string storage;
    const char* plugin = nullptr;
    if (!plugin_path(pa, storage, plugin)) return kExitUsage;
    int status = kExitFail;
    char* message = nullptr;
    const int rc = chorus_store_admin(g.config, plugin, action, g.debug ? 1 : 0, &status, &message);
    if (rc != CHORUS_OK) {
        const std::string why = message != nullptr ? message : chorus_strerror(rc);
        chorus_string_free(&message);
        return complain(kExitFail, escape_text(why));
    }
    return status;
}

}  // namespace

int cmd_db(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("db"), argc, argv, first, {{"plugin", ArgKind::required}}, 1, 1, pa))
        return kExitUsage;
    const std::string action(pa.operands[0]);
    if (action != "init" && action != "migrate" && action != "status")
        return complain(kExitUsage,
                        "db: unknown action " + escape_text(action) + " (init, migrate or status)");
    return run_admin(g, pa, action.c_str());
}

int cmd_migrate_store(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(
            g, *find_command("migrate-store"), argc, argv, first,
            {{"from", ArgKind::required}, {"to", ArgKind::required}, {"plugin", ArgKind::required}}, 0, 0,
            pa))
        return kExitUsage;
    const auto* from = pa.last("from");
    const auto* to = pa.last("to");
    if (from == nullptr || to == nullptr || *from->value != "file" || *to->value != "postgresql")
        return complain(kExitUsage, "migrate-store: only --from file --to postgresql is supported");
    return run_admin(g, pa, "migrate-from-file");
}

}  // namespace chorusctl
