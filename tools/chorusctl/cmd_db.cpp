// SPDX-License-Identifier: BSD-2-Clause
// chorusctl db init|migrate|status and migrate-store --from file --to
// postgresql. The SQL lives in the PostgreSQL store plugin; this file only
// loads it (with the checks libchorusauth applies) and calls its C entries.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "chorusctl/chorusctl.hpp"
#include "common/text.hpp"

#ifndef CHORUS_PLUGINDIR
#define CHORUS_PLUGINDIR "/usr/lib/chorus"
#endif

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// The C view of chorus::StorePluginV1 (libchorusauth/store/postgresql/
// plugin_abi.hpp): same members, the C++ entry as an opaque pointer.
struct PluginView {
    std::uint32_t struct_size;
    std::uint32_t layout;
    const char* build_tag;
    void* open;
    int (*db_command)(const char* config_path, const char* action, int debug);
    int (*migrate_from_file)(const char* config_path, int debug);
};
constexpr const char* kTagPrefix = "chorus-store-plugin-1 ";

bool trusted(const std::string& p, bool dir) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return false;
    return (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) && st.st_uid == 0 && (st.st_mode & 022) == 0;
}

const PluginView* load(const chorus_tools::ParsedArgs& pa) {
    const auto* opt = pa.last("plugin");
    const std::string path =
        opt != nullptr ? std::string(*opt->value) : CHORUS_PLUGINDIR "/store-postgresql.so";
    if (path.empty() || path[0] != '/') {
        complain(kExitUsage, "--plugin needs an absolute path");
        return nullptr;
    }
    if (!trusted(path.substr(0, path.find_last_of('/') + 1), true) || !trusted(path, false)) {
        complain(kExitFail,
                 escape_text(path) +
                     ": missing, or not a root-owned file in a root-owned directory that only root can "
                     "write (is the chorus PostgreSQL package installed?)");
        return nullptr;
    }
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* why = ::dlerror();
        complain(kExitFail,
                 "cannot load " + escape_text(path) + ": " + (why != nullptr ? why : "unknown error"));
        return nullptr;
    }
    using Entry = const PluginView* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(h, "chorus_store_plugin_v1"));
    const PluginView* p = entry != nullptr ? entry() : nullptr;
    if (p == nullptr || p->struct_size < sizeof(PluginView) || p->build_tag == nullptr ||
        std::strncmp(p->build_tag, kTagPrefix, std::strlen(kTagPrefix)) != 0 || p->db_command == nullptr ||
        p->migrate_from_file == nullptr) {
        complain(kExitFail, escape_text(path) + ": not a chorus store plugin of this version");
        return nullptr;
    }
    return p;
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
    const PluginView* p = load(pa);
    if (p == nullptr) return kExitFail;
    return p->db_command(g.config, action.c_str(), g.debug ? 1 : 0);
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
    const PluginView* p = load(pa);
    if (p == nullptr) return kExitFail;
    return p->migrate_from_file(g.config, g.debug ? 1 : 0);
}

}  // namespace chorusctl
