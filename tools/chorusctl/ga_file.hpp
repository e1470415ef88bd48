// SPDX-License-Identifier: BSD-2-Clause
// Reading a google-authenticator file (~/.google_authenticator):
//
//   QOMU25E7LLF62WMDQMD2XI2ZI4      base32 key (first line)
//   " RATE_LIMIT 3 30 [times...]    option lines start with '" '
//   " WINDOW_SIZE 3
//   " DISALLOW_REUSE [steps...]
//   " TOTP_AUTH                     (HOTP files have " HOTP_COUNTER n instead)
//   " STEP_SIZE 30                  (absent: 30)
//   20668360                        8-digit scratch codes, one per line
#pragma once

#include <array>
#include <string>
#include <vector>

#include "common/secret.hpp"

namespace chorusctl {

struct GaFile {
    GaFile() : secret(256) {}
    ~GaFile();
    GaFile(const GaFile&) = delete;
    GaFile& operator=(const GaFile&) = delete;

    chorus_tools::SecretBuffer secret;  // base32 as in the file
    bool totp_auth = false;
    bool hotp = false;    // " HOTP_COUNTER present
    int step_size = 30;   // " STEP_SIZE, seconds
    int window_size = 0;  // " WINDOW_SIZE (0: absent)
    bool disallow_reuse = false;
    std::string rate_limit;                    // "3 30" when present
    std::vector<std::array<char, 9>> scratch;  // NUL-terminated 8-digit codes
    std::vector<std::string> unknown;          // option names not understood
};

// The Chorus window for a google-authenticator WINDOW_SIZE: W codes in all,
// centred on now, so (W - 1) / 2 steps each side, within 0..10. An even W
// (whose extra step google-authenticator puts in the future) rounds down.
int ga_window_to_chorus(int window_size);

// Parses the text of a file; on failure returns false and sets error
// ("line N: what").
bool parse_ga_file(std::string_view text, GaFile& out, std::string& error);

// Reads path safely (O_NOFOLLOW, not blocking on FIFOs, a regular file, at
// most 4 KiB) into buf, which wipes itself. On failure sets error.
bool read_ga_file(const char* path, chorus_tools::SecretBuffer& buf, std::string& error);

}  // namespace chorusctl
