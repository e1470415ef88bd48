// SPDX-License-Identifier: BSD-2-Clause
// chorusctl's fleet store commands: `db init|migrate|status` (the plugin's
// SQL) and `migrate-store --from file --to postgresql` (a copy through the
// Store interface, so the records keep the library's format and sealing).
#pragma once

#include <string>

#include "config/config.hpp"
#include "util/result.hpp"

namespace chorus {

struct StoreAdminOutcome {
    std::string report;    // for stdout
    std::string problems;  // for stderr, one per line
    // A failure until the action says it succeeded.
    Status status = make_error(Errc::internal, "store administration did not run");
};

// action: "init", "migrate", "status" or "migrate-from-file". plugin_path
// empty: the one chorus.yaml names, else the installed one.
StoreAdminOutcome store_admin(const Config& cfg, const std::string& plugin_path, const std::string& action);

}  // namespace chorus
