// SPDX-License-Identifier: BSD-2-Clause
// Reading a libpq conninfo without libpq (which this library must not load):
// only what the configuration checks need, the keywords it names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chorus {

// The keywords of a libpq conninfo, read as libpq reads them (without libpq,
// which this library must not load): "key = value" pairs, values quoted with
// ' and escaped with \, or a postgres[ql]:// URI whose ?key=value parameters
// may be percent-encoded. Malformed text is left for the plugin to report.
std::vector<std::string> conninfo_keywords(std::string_view s);

}  // namespace chorus
