// SPDX-License-Identifier: BSD-2-Clause
// The PostgreSQL Store (docs/FLEET.md). Built only into the plugin and never
// into libchorusauth.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "store/store.hpp"
#include "util/secure.hpp"

namespace chorus::pg {

// Connects lazily (on the first begin()), so a context opens while the
// database is down and its logins answer Errc::io until it returns.
Result<std::unique_ptr<Store>> open_pg_store(const StoreConfig& cfg, const SecretBytes& seal_key);

}  // namespace chorus::pg
