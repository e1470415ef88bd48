// SPDX-License-Identifier: BSD-2-Clause
// Password history: argon2id hashes (libargon2) of the last N passwords,
// newest first, and the reuse policy over them. Never plaintext, never a
// fast hash: a stolen history file must cost an attacker as much as the
// shadow file does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "password/checklist.hpp"
#include "util/result.hpp"

namespace chorus {

// Bounds accepted when *reading* an encoded hash. They mirror the config
// ranges, so a tampered history entry cannot make a login allocate 1 TiB.
inline constexpr std::uint32_t kArgon2MaxMemoryKib = 4194304;
inline constexpr std::uint32_t kArgon2MaxTime = 100;
inline constexpr std::uint32_t kArgon2MaxLanes = 16;

// "$argon2id$v=19$m=65536,t=3,p=1$<salt b64>$<hash b64>": 16-byte random
// salt, 32-byte hash, parameters from cfg.
Result<std::string> hash_password(const Argon2Config& cfg, std::string_view pw);

// True when pw matches; false on a mismatch. Errc::corrupt for anything that
// is not a well-formed argon2id string within the bounds above.
Result<bool> verify_password(std::string_view encoded, std::string_view pw);

// True when encoded was made with other parameters than cfg (or other salt
// or hash sizes, or does not parse): the caller should store a fresh hash
// the next time it knows the password.
bool needs_rehash(std::string_view encoded, const Argon2Config& cfg);

// Whether pw is among the remembered passwords. history is newest first;
// only the first cfg.remember entries count. On a change every one of them
// is refused; on a reset (reset_mode) the newest is skipped when
// cfg.reset_allows_last, so a user who forgot a password may set it again.
// A malformed entry is an error (Errc::corrupt): history is written only by
// this library, so a bad entry means tampering or a bug an admin should see.
Result<bool> history_contains(const std::vector<std::string>& history, std::string_view pw,
                              const HistoryConfig& cfg, bool reset_mode);

// Hashes pw, puts it first and keeps at most cfg.remember entries
// (remember 0 -> empty: history disabled).
Result<std::vector<std::string>> history_push(std::vector<std::string> history, std::string_view pw,
                                              const HistoryConfig& cfg);

// Whether the history rule checks anything for this configuration and mode
// (remember 0, or a reset that may reuse the only remembered password: no).
bool history_rule_applies(const HistoryConfig& cfg, bool reset_mode);

// Appends the "history" rule to a checklist when it applies:
// "Not your current password" / "Not one of your last N passwords".
void add_history_rule(Checklist& list, const HistoryConfig& cfg, bool reset_mode, bool reused);

}  // namespace chorus
