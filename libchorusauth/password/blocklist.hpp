// SPDX-License-Identifier: BSD-2-Clause
// Compiled password blocklist: a memory-mapped, sorted array of 64-bit hashes,
// so a list of millions of leaked passwords costs one binary search per lookup.
//
// File format, version 1 (all integers little-endian):
//   offset  size  field
//        0     8  magic "CHORUSBL"
//        8     4  version = 1 (bump whenever normalize() or the hash changes:
//                 an old file would silently stop matching)
//       12     4  header size = 32
//       16     8  count: number of entries
//       24     8  reserved = 0
//       32  8*count  entries: strictly ascending uint64 values, each the first
//                 8 bytes (little-endian) of SHA-256 over one lookup key
// The file size must be exactly 32 + 8 * count. open() checks all of this and
// the ordering before use, because the file is parsed inside login processes.
//
// A 64-bit truncated hash keeps the file compact (8 MB per million words)
// with a false-positive chance of about count / 2^64 per lookup; a blocklist
// is public data, so nothing is gained by keying the hash.
//
// Keys: every list entry is stored under all of its lookup keys (see
// contains()), and a candidate is looked up under the same keys, so entries
// and candidates always go through the very same normalisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace chorus {

class Blocklist {
public:
    static constexpr std::size_t kHeaderSize = 32;
    static constexpr std::uint32_t kVersion = 1;
    // Refuse files above this size (about 128 million entries): a sanity
    // bound for a parser that runs inside sshd.
    static constexpr std::uint64_t kMaxFileSize = 1ULL << 30;

    Blocklist() = default;
    Blocklist(const Blocklist&) = delete;
    Blocklist& operator=(const Blocklist&) = delete;
    Blocklist(Blocklist&& o) noexcept;
    Blocklist& operator=(Blocklist&& o) noexcept;
    ~Blocklist();

    // Opens and fully validates a compiled file: no symlink as the last path
    // component, a regular file owned by root or the effective user, not
    // group/world writable, header and ordering valid. Mapped read-only.
    static Result<Blocklist> open(const std::string& path);

    // Builds an in-memory list from words (tests, small lists).
    static Blocklist from_words(const std::vector<std::string>& words);

    // Reads one word per line ("\r\n" accepted, empty lines skipped) and
    // writes a compiled file atomically: temp file, fsync, rename, fsync dir.
    static Status compile(std::istream& words, const std::string& out_path);

    // Canonical form used for both list entries and candidates:
    // 1. lowercase (UTF-8 aware);
    // 2. strip leading and trailing digits and symbols ("P@ssw0rd2024!" ->
    //    "p@ssw0rd"); if nothing but digits and symbols remains, keep the
    //    digits instead ("123456!" -> "123456");
    // 3. fold look-alike characters to one representative: 0->o, 1 l ! | -> i,
    //    3->e, 4 @ -> a, 5 $ -> s, 7 + -> t ("p@ssw0rd" -> "password").
    //    Folding l and i together lets "p1nk" and "lnk" style substitutions
    //    match whichever letter the list used, at the cost of a few extra
    //    (harmless) rejections. The result is a lookup key, not display text;
    //    it is a form of its input, so wipe it (wipe_string) when that was a
    //    password. contains() does this for its own keys.
    static std::string normalize(std::string_view s);

    // True when one of the candidate's lookup keys equals one of an entry's
    // keys. Keys (see blocklist_keys()): the case-folded text; normalize();
    // the text with only trailing digits/symbols stripped, then folded (a
    // leading '@' or '$' used as a letter survives: "@dmin1"); and the text
    // with the unambiguous look-alikes (0 3 4 5 7 @ $ +) folded *before*
    // stripping, so a trailing "0" used as an "o" survives ("Tru5tN0!" vs
    // "trustno1"). Stripped keys are only used when at least 3 characters
    // remain, so a mostly-random password does not match a one- or
    // two-letter entry. Every key is looked up (no early exit) and wiped.
    bool contains(std::string_view candidate) const;

    std::size_t size() const noexcept { return count_; }

private:
    bool contains_key(std::string_view key) const;

    std::vector<std::uint64_t> owned_;  // from_words(): host-order values
    void* map_ = nullptr;               // open(): the mapping (header included)
    std::size_t map_len_ = 0;
    const unsigned char* entries_ = nullptr;  // open(): little-endian values
    std::size_t count_ = 0;
};

// Lookup-key hash: first 8 bytes of SHA-256(key), little-endian.
std::uint64_t blocklist_hash(std::string_view key);

// The lookup keys for one list entry or candidate (implementation detail,
// exposed for tests and for the no_username rule's look-alike folding).
std::vector<std::string> blocklist_keys(std::string_view s);

// Lowercase + look-alike folding, without stripping (step 1 and 3 above).
std::string fold_lookalikes(std::string_view s);

}  // namespace chorus
