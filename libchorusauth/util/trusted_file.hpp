// SPDX-License-Identifier: BSD-2-Clause
// Reading small files that decide security policy (the config, a seal key):
// the file and the directory holding it must be ones only root can change,
// in the spirit of pam-u2f's open_safely().
#pragma once

#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace chorus {

struct TrustedFileOptions {
    // When false (tests only), the file and its directory may be owned by the
    // current effective uid instead of root. Every other check still applies.
    bool require_root_owner = true;
    // Larger files are refused before reading, and reading stops here even if
    // the file grows while we read it.
    std::size_t max_bytes = 256 * 1024;
};

// Reads the whole file at path after checking that:
//  - its directory is owned by root (or euid, see above) and not group- or
//    world-writable, so nobody else can swap the directory entry;
//  - the last component is not a symlink (O_NOFOLLOW) and is a regular file
//    (so a FIFO or device can't block or feed us: opened O_NONBLOCK);
//  - the file is owned by root (or euid) and not group- or world-writable;
//  - it is at most max_bytes long.
// The file is opened relative to the checked directory fd, so the checks and
// the read concern the same objects.
//
// Errors: Errc::not_found when the file or its directory does not exist
// (callers decide whether that is fine), Errc::unsafe_file for a failed
// check, Errc::io for other system errors. Messages name the path.
Result<std::string> read_trusted_file(const std::string& path, const TrustedFileOptions& opts);

}  // namespace chorus
