// SPDX-License-Identifier: BSD-2-Clause
// Opening the store chorus.yaml names: the file store, or a store plugin
// (store/plugin_abi.h) loaded under the trusted-file rule. The one loader,
// for logins and for chorusctl's database commands.
#pragma once

#include <memory>
#include <string>

#include "config/config.hpp"
#include "store/plugin_abi.h"
#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

// Opens the store the config names. The file store checks ownership against
// root, or against the effective uid of an unprivileged caller (whose
// process gains nothing by trusting its own files).
Result<std::unique_ptr<Store>> open_store(const StoreConfig& cfg);

// Reads a seal key file (root-owned, mode 0600).
Result<SecretBytes> load_seal_key(const std::string& path);

// Loads the plugin at `configured` (empty: the installed one) once per
// process, under the trusted-file rule, and checks its table.
Result<const chorus_store_plugin*> load_store_plugin(const std::string& configured);

// A Store on a loaded plugin: the library encodes names and records and
// seals TOTP keys with seal_key (required); the plugin keeps rows.
Result<std::unique_ptr<Store>> open_plugin_store(const chorus_store_plugin& plugin,
                                                 const std::string& conninfo, const SecretBytes& seal_key);

// A plugin's failure as the library's error.
Error plugin_error(int rc, const chorus_store_msg& msg);

}  // namespace chorus
