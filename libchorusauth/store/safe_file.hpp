// SPDX-License-Identifier: BSD-2-Clause
// Opening, checking, replacing and locking files inside the state directory.
// Every name is resolved relative to the directory fd and never through a
// symlink; every file is checked after opening (regular, owner, no group or
// other access, one link, size cap), because the state directory is where an
// attacker who found any other bug would try to plant a link to /etc/shadow.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/fd.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

struct FileRules {
    unsigned owner_uid = 0;
    std::size_t max_size = 0;
};

// Opens the state directory, creating it 0700 if (only) the last component is
// missing; refuses a symlink, a non-directory, a wrong owner or group/other bits.
Result<UniqueFd> open_state_dir(const std::string& path, unsigned owner_uid);

// Opens dirfd/name with access (O_RDONLY or O_RDWR) plus O_NOFOLLOW|O_NONBLOCK|
// O_CLOEXEC|O_NOCTTY and checks it. Errc::not_found when absent and !create;
// Errc::unsafe_file for anything that is not a plain private file.
Result<UniqueFd> open_checked(int dirfd, const std::string& name, int access, bool create,
                              const FileRules& rules);

// Whether dirfd/name exists (without following a symlink). A present entry that
// fails the rules is Errc::unsafe_file.
Result<bool> entry_exists(int dirfd, const std::string& name, const FileRules& rules);

// Atomic, durable replace: name.tmp (O_EXCL, 0600) + write + fsync + renameat
// + fsync(dir). A stale name.tmp left by a crash is removed first, but only if
// it is a plain private file. On failure, name is unchanged and no tmp remains.
Status replace_file(int dirfd, const std::string& name, std::string_view data, const FileRules& rules);

// Removes dirfd/name if present and safe; then the caller syncs the directory.
Status remove_checked(int dirfd, const std::string& name, const FileRules& rules);

// Reads all of a checked file into wiping memory (it may hold a TOTP key).
Result<SecretString> read_checked(int fd, std::size_t max_size);

// flock(LOCK_EX), polling with short sleeps for at most timeout_ms: Errc::busy after.
Status lock_exclusive(int fd, const std::string& name, int timeout_ms);

}  // namespace chorus
