// SPDX-License-Identifier: BSD-2-Clause
// chorusctl db init|migrate|status and migrate-store --from file --to
// postgresql. The SQL lives in the PostgreSQL store plugin, which the
// library loads with the checks a login applies (chorus_store_admin).
#include <cstdio>
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

// Calls emit(line) for each line of text, escaped (the report and the
// problems hold database text, user names and server messages).
template <typename Emit>
void each_line(const char* text, Emit emit) {
    if (text == nullptr) return;
    const std::string_view all(text);
    std::size_t from = 0;
    while (from < all.size()) {
        const std::size_t nl = all.find('\n', from);
        const std::size_t to = nl == std::string_view::npos ? all.size() : nl;
        emit(escape_text(all.substr(from, to - from)));
        from = to + 1;
    }
}

int run_admin(const Globals& g, const chorus_tools::ParsedArgs& pa, const char* action) {
    std::string storage;
    const char* plugin = nullptr;
    if (!plugin_path(pa, storage, plugin)) return kExitUsage;
    char* report = nullptr;
    char* message = nullptr;
    const int rc = chorus_store_admin(g.config, plugin, action, &report, &message);
    each_line(report, [](const std::string& line) { std::printf("%s\n", line.c_str()); });
    std::fflush(stdout);
    each_line(message, [](const std::string& line) { complain(kExitFail, line); });
    const bool said = message != nullptr;
    chorus_string_free(&report);
    chorus_string_free(&message);
    if (rc == CHORUS_OK) return kExitOk;
    if (!said) complain(kExitFail, chorus_strerror(rc));
    return kExitFail;
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
