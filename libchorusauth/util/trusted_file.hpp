// SPDX-License-Identifier: BSD-2-Clause
// Opening a file whose content decides security (the configuration, a seal
// key, a blocklist, a store plugin about to be loaded): the one rule for
// every such file, in the spirit of pam-u2f's open_safely(). Every reader of
// a trusted file goes through here.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

#include "util/fd.hpp"
#include "util/result.hpp"

namespace chorus {

struct TrustedFileOptions {
    // When false (tests, and processes not running as root), the file and its
    // directory may be owned by the current effective uid instead of root.
    // Every other check still applies.
    bool require_root_owner = true;
    // A secret (a key): no permission bit at all for group or others.
    bool secret = false;
    // Larger files are refused before reading, and reading stops here even if
    // the file grows while we read it.
    std::size_t max_bytes = std::size_t{256} * 1024;
};

// An open, checked file and what fstat() said of it.
struct TrustedFile {
    UniqueFd fd;
    struct stat st {};
};

// Opens the file at path after checking that:
//  - its directory is owned by root (or euid, see above) and not group- or
//    world-writable, so nobody else can swap the directory entry;
//  - the last component is not a symlink (O_NOFOLLOW) and is a regular file
//    (so a FIFO or device can't block or feed us: opened O_NONBLOCK);
//  - the file is owned by root (or euid) and not group- or world-writable
//    (for a secret: no group or other bits at all);
//  - it is at most max_bytes long.
// The file is opened relative to the checked directory fd and checked with
// fstat, so the checks and any later use of the fd concern the same objects.
//
// Errors: Errc::not_found when the file or its directory does not exist
// (callers decide whether that is fine), Errc::unsafe_file for a failed
// check, Errc::io for other system errors. Messages name the path.
Result<TrustedFile> open_trusted_file(const std::string& path, const TrustedFileOptions& opts);

// open_trusted_file, then the whole content.
Result<std::string> read_trusted_file(const std::string& path, const TrustedFileOptions& opts);

}  // namespace chorus
