// SPDX-License-Identifier: BSD-2-Clause
// Sealing the TOTP keys of a record, every app's alike: what both stores do
// on write and undo on read (util/seal.hpp). Flows never see a sealed key.
#pragma once

#include <string_view>

#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

// Seals each key of rec still in the clear; `context` (the user's store key)
// is authenticated with it, so a sealed key does not open in another record.
Status seal_keys(UserRecord& rec, const SecretBytes& seal_key, std::string_view context);

// Opens each sealed key. Without a seal key a sealed key is Errc::config;
// with require_sealed a key stored in the clear is Errc::corrupt (the fleet
// store, which never stores one).
Status open_keys(UserRecord& rec, const SecretBytes& seal_key, std::string_view context, bool require_sealed);

}  // namespace chorus
