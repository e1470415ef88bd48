// SPDX-License-Identifier: BSD-2-Clause
// Reading the delivery: section of chorus.yaml. The whole file is first
// validated by the library (chorus_config_validate: ownership, mode, every
// key and range), then read again here with the same safety checks and only
// delivery: is extracted (yaml-cpp). See docs/DELIVERY.md for why.
#pragma once

#include "deliver.hpp"

namespace chorus_deliver {

inline constexpr const char* kDefaultConfig = "/etc/chorus/chorus.yaml";

// path == nullptr: the default file, whose absence means built-in defaults
// (every channel disabled). An explicit path must exist.
Outcome load_settings(const char* path, Settings& out);

}  // namespace chorus_deliver
