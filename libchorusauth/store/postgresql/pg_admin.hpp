// SPDX-License-Identifier: BSD-2-Clause
#pragma once

#include <string>

#include "util/result.hpp"

namespace chorus::pg {

// chorusctl db init|migrate|status: the report to print (also when status
// finds the schema missing or old), and whether the action succeeded.
struct AdminOutcome {
    std::string report;
    // A failure until the action says it succeeded.
    Status status = make_error(Errc::internal, "db command did not run");
};
AdminOutcome run_admin(const std::string& conninfo, const std::string& action);

}  // namespace chorus::pg
