// SPDX-License-Identifier: BSD-2-Clause
// The contract between libchorusauth (and chorusctl) and the PostgreSQL store
// plugin, store-postgresql.so. The plugin is built from this tree with the
// same compiler, so C++ types (StoreConfig, Store, Result) cross the boundary;
// the build tag below refuses a plugin built from anything else. The plugin
// exports exactly one symbol, kStorePluginSymbol (version script).
//
// No libpq header here: libchorusauth includes this file and must not depend
// on libpq (login processes with the file store never load it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

#define CHORUS_STORE_PLUGIN_SYMBOL "chorus_store_plugin_v1"
#define CHORUS_STORE_PLUGIN_FILE "store-postgresql.so"

namespace chorus {

// Compiler and layout of the types that cross; both sides compute it.
#define CHORUS_STORE_PLUGIN_TAG "chorus-store-plugin-1 " __VERSION__

struct StorePluginV1 {
    std::uint32_t struct_size;
    std::uint32_t layout;   // sizeof of the crossing types, folded (plugin_layout())
    const char* build_tag;  // CHORUS_STORE_PLUGIN_TAG of the plugin
    // The library's entry: a Store for cfg. seal_key is the fleet key (required).
    Result<std::unique_ptr<Store>> (*open)(const StoreConfig& cfg, const SecretBytes& seal_key);
    // chorusctl's entries (C types only). config_path NULL: the default path.
    // Print to stdout/stderr and return a process exit status.
    int (*db_command)(const char* config_path, const char* action, int debug);  // init|migrate|status
    int (*migrate_from_file)(const char* config_path, int debug);
};

constexpr std::uint32_t plugin_layout() {
    return static_cast<std::uint32_t>(sizeof(StoreConfig) * 131u + sizeof(UserRecord) * 31u +
                                      sizeof(LiveState) * 7u + sizeof(Error) * 3u + sizeof(StorePluginV1));
}

// Defined in flows/context.cpp: reads a seal key file (root-owned, mode 0600).
Result<SecretBytes> load_seal_key(const std::string& path);

// Defined in flows/context.cpp: loads the plugin at `configured` (empty: the
// installed one) under the trusted-file rule, once per process, and checks
// it was built with this tree. The one loader, for logins and chorusctl.
Result<const StorePluginV1*> load_store_plugin(const std::string& configured);

}  // namespace chorus

extern "C" {
using chorus_store_plugin_v1_fn = const chorus::StorePluginV1* (*)();
}
