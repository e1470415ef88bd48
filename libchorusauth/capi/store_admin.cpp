// SPDX-License-Identifier: BSD-2-Clause
// chorusctl's fleet store commands (store/store_admin): the plugin is loaded
// by the library's own loader (the trusted-file rule, the contract check),
// never by the tool, and the tool prints what comes back.
#include <unistd.h>

#include <cstring>

#include "capi/capi_internal.hpp"
#include "store/store_admin.hpp"

extern "C" {

int chorus_store_admin(const char* config_path, const char* plugin_path, const char* action, char** report,
                       char** message) {
    if (report != nullptr) *report = nullptr;
    if (message != nullptr) *message = nullptr;
    if (action == nullptr || report == nullptr || message == nullptr) return CHORUS_ERR_INVALID_ARG;
    bool known = false;
    for (const char* a : {"init", "migrate", "status", "migrate-from-file"})
        known = known || std::strcmp(action, a) == 0;
    if (!known) return CHORUS_ERR_INVALID_ARG;
    CHORUS_C_BOUNDARY(nullptr, {
        chorus::LoadOptions lo;
        lo.require_root_owner = geteuid() == 0;
        auto cfg = chorus::load_config(config_path != nullptr ? config_path : "", lo);
        if (!cfg.ok()) {
            *message = chorus_dup_string(cfg.error().message);
            return chorus::to_rc(cfg.code());
        }
        chorus::StoreAdminOutcome out =
            chorus::store_admin(*cfg, plugin_path != nullptr ? plugin_path : "", action);
        if (!out.report.empty()) *report = chorus_dup_string(out.report);
        std::string problems = out.problems;
        if (!out.status.ok()) problems += out.status.error().message;
        while (!problems.empty() && problems.back() == '\n') problems.pop_back();
        if (!problems.empty()) *message = chorus_dup_string(problems);
        return out.status.ok() ? CHORUS_OK : chorus::to_rc(out.status.code());
    })
}

}  // extern "C"
