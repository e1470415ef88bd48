// SPDX-License-Identifier: BSD-2-Clause
// chorusctl's database commands: the plugin is loaded by the library's own
// loader (the trusted-file rule, the build check), never by the tool.
#include <cstring>

#include "capi/capi_internal.hpp"
#include "store/postgresql/plugin_abi.hpp"

extern "C" {

int chorus_store_admin(const char* config_path, const char* plugin_path, const char* action, int debug,
                       int* exit_status, char** message) {
    if (message != nullptr) *message = nullptr;
    if (exit_status == nullptr || action == nullptr) return CHORUS_ERR_INVALID_ARG;
    *exit_status = 1;
    const bool db = std::strcmp(action, "init") == 0 || std::strcmp(action, "migrate") == 0 ||
                    std::strcmp(action, "status") == 0;
    const bool from_file = std::strcmp(action, "migrate-from-file") == 0;
    if (!db && !from_file) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(nullptr, {
        // The loader refuses a plugin without all its entries (one of this tree has them).
        auto plugin = chorus::load_store_plugin(plugin_path != nullptr ? plugin_path : "");
        if (!plugin.ok()) {
            if (message != nullptr) *message = chorus_dup_string(plugin.error().message);
            return chorus::to_rc(plugin.code());
        }
        const chorus::StorePluginV1* p = *plugin;
        // The plugin prints its own report and returns a process exit status.
        *exit_status =
            db ? p->db_command(config_path, action, debug) : p->migrate_from_file(config_path, debug);
        return CHORUS_OK;
    })
}

}  // extern "C"
