// SPDX-License-Identifier: BSD-2-Clause
// The live-state file ("<user>.live"), written in place on every login:
//
//   offset 0    slot 0 (512 bytes)
//   offset 512  slot 1 (512 bytes)
//
// Each slot, integers little-endian:
//   0  "CHLV"  4  u32 format version (1)  8  u64 sequence number
//   16 u64 last_step  24 u32 failures  28 u32 zero
//   32 i64 first_failure_at  40 i64 locked_until  48 i64 last_success_at
//   56 i64 last_failure_at   64..479 zero
//   480 SHA-256 of bytes 0..479
//
// A reader takes the valid slot with the higher sequence number; a writer
// overwrites the other one (pwrite + fdatasync). A torn write therefore
// damages only the slot being replaced and the previous state survives. Slots
// are one 512-byte sector each so a torn sector never spans both. A file in
// which neither slot verifies is Errc::corrupt: callers deny, and
// `chorusctl unlock` (put_live of a fresh state) rewrites it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"
#include "util/result.hpp"

namespace chorus {

inline constexpr std::size_t kLiveSlotSize = 512;
inline constexpr std::size_t kLiveFileSize = 2 * kLiveSlotSize;
// Highest valid slot sequence number; the writer never needs more than one
// past it, so the arithmetic cannot wrap.
inline constexpr std::uint64_t kMaxLiveSeq = UINT64_MAX - 1;

struct LiveSlot {
    LiveState state;
    std::uint64_t seq = 0;
};

// One slot's bytes (kLiveSlotSize long).
std::string encode_live_slot(const LiveState& s, std::uint64_t seq);
// nullopt when the slot is the wrong size, has the wrong magic or version,
// non-zero padding, or a bad checksum.
std::optional<LiveSlot> decode_live_slot(std::string_view b);

// The contents of a new live file: slot 0 holds s with sequence 1, slot 1 is
// empty (invalid) and will take the next write.
std::string initial_live_file(const LiveState& s);

// Which slot of a whole file is current: index and contents. Errc::corrupt
// when the size is wrong or neither slot verifies.
struct CurrentSlot {
    int index = 0;
    LiveSlot slot;
};
Result<CurrentSlot> pick_live_slot(std::string_view file);

// fd-based versions used by the file store (fd is a checked regular file).
Result<LiveState> read_live_fd(int fd);
// Writes s into the slot that is not current (slot 0 if neither verifies),
// then fdatasync. The caller holds the user's lock.
Status write_live_fd(int fd, const LiveState& s);

}  // namespace chorus
