// SPDX-License-Identifier: BSD-2-Clause
#pragma once

namespace chorus::pg {

// StorePluginV1::db_command and ::migrate_from_file.
int db_command(const char* config_path, const char* action, int debug) noexcept;
int migrate_from_file(const char* config_path, int debug) noexcept;

}  // namespace chorus::pg
