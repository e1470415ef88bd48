// SPDX-License-Identifier: BSD-2-Clause
#include "store/safe_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace chorus {
namespace {

constexpr int kSafeFlags = O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;

Error unsafe(const std::string& name, std::string_view why) {
    return make_error(Errc::unsafe_file, name + ": " + std::string(why));
}

Status check_stat(const struct stat& st, const std::string& name, const FileRules& rules) {
    if (S_ISLNK(st.st_mode)) return unsafe(name, "is a symbolic link");
    if (!S_ISREG(st.st_mode)) return unsafe(name, "is not a regular file");
    if (st.st_uid != rules.owner_uid) return unsafe(name, "is owned by uid " + std::to_string(st.st_uid));
    // Records hold TOTP keys: group/other may neither write nor read them.
    if ((st.st_mode & 077) != 0) return unsafe(name, "is accessible by group or others");
    // A second link means the same inode is reachable from elsewhere; writing
    // it in place would write there too (the hard-link attack).
    if (st.st_nlink != 1) return unsafe(name, "has " + std::to_string(st.st_nlink) + " links");
    if (static_cast<unsigned long long>(st.st_size) > rules.max_size) return unsafe(name, "is too large");
    return ok_status();
}

// errno from openat() on a name inside the state directory.
Error open_error(const std::string& name, int err) {
    switch (err) {
    case ELOOP:
        return unsafe(name, "is a symbolic link");
    case ENXIO:  // FIFO without reader, or a device without a driver
    case EISDIR:
    case ENOTDIR:
    case ETXTBSY:
        return unsafe(name, "is not a regular file");
    case ENOENT:
        return make_error(Errc::not_found, name + ": no such file");
    default:
        return errno_error("open " + name, err);
    }
}

std::int64_t monotonic_ms() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

Result<UniqueFd> open_state_dir(const std::string& path, unsigned owner_uid) {
    if (path.empty()) return make_error(Errc::config, "state directory not set");
    constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd dir(::open(path.c_str(), flags));
    if (!dir.valid() && errno == ENOENT) {
        // Only the last component: a missing parent means a broken install, not
        // something to paper over with mkdir -p.
        if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return errno_error("mkdir " + path, errno);
        dir.reset(::open(path.c_str(), flags));
    }
    if (!dir.valid()) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR) return unsafe(path, "is not a directory (or is a symbolic link)");
        return errno_error("open " + path, err);
    }
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) return errno_error("fstat " + path, errno);
    if (!S_ISDIR(st.st_mode)) return unsafe(path, "is not a directory");
    if (st.st_uid != owner_uid) return unsafe(path, "is owned by uid " + std::to_string(st.st_uid));
    if ((st.st_mode & 077) != 0) return unsafe(path, "is accessible by group or others (want 0700)");
    return dir;
}

Result<bool> entry_exists(int dirfd, const std::string& name, const FileRules& rules) {
    struct stat st {};
    if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("stat " + name, errno);
    }
    CHORUS_RETURN_IF_ERROR(check_stat(st, name, rules));
    return true;
}

Result<UniqueFd> open_checked(int dirfd, const std::string& name, int access, bool create,
                              const FileRules& rules) {
    // Look before opening: opening a device or FIFO can itself have effects
    // (rewinding a tape, waking a writer), so those are refused unopened. The
    // fstat after opening is the check that counts; this one only narrows.
    CHORUS_ASSIGN_OR_RETURN(bool exists, entry_exists(dirfd, name, rules));
    if (!exists && !create) return make_error(Errc::not_found, name + ": no such file");
    int flags = access | kSafeFlags | (create ? O_CREAT : 0);
    UniqueFd fd(::openat(dirfd, name.c_str(), flags, 0600));
    if (!fd.valid()) return open_error(name, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error("fstat " + name, errno);
    CHORUS_RETURN_IF_ERROR(check_stat(st, name, rules));
    return fd;
}

Status replace_file(int dirfd, const std::string& name, std::string_view data, const FileRules& rules) {
    // The target may be absent, but if present it must be ours: refusing here
    // keeps a planted link visible to the admin instead of silently replacing it.
    CHORUS_RETURN_IF_ERROR(entry_exists(dirfd, name, rules).status());
    const std::string tmp = name + ".tmp";
    CHORUS_ASSIGN_OR_RETURN(bool stale, entry_exists(dirfd, tmp, rules));
    if (stale && ::unlinkat(dirfd, tmp.c_str(), 0) != 0 && errno != ENOENT)
        return errno_error("unlink stale " + tmp, errno);

    UniqueFd fd(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | kSafeFlags, 0600));
    if (!fd.valid()) {
        int err = errno;
        if (err == EEXIST) return unsafe(tmp, "appeared while we held the lock");
        return open_error(tmp, err);
    }
    // From here on, any failure removes the tmp so no partial file survives.
    auto fail = [&](Error e) -> Status {
        fd.reset();
        (void)::unlinkat(dirfd, tmp.c_str(), 0);
        return e;
    };
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(errno_error("fstat " + tmp, errno));
    if (Status s = check_stat(st, tmp, FileRules{rules.owner_uid, 0}); !s.ok())
        return fail(std::move(s).error());
    if (Status s = write_all(fd.get(), data); !s.ok()) {
        Error e = std::move(s).error();
        return fail(make_error(e.code, tmp + ": " + e.message));
    }
    if (::fsync(fd.get()) != 0) return fail(errno_error("fsync " + tmp, errno));
    // close() can report a deferred write error (NFS); treat it like one.
    int raw = fd.release();
    if (::close(raw) != 0) return fail(errno_error("close " + tmp, errno));
    if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0)
        return fail(errno_error("rename " + tmp, errno));
    // Once renamed, the new file is what every reader sees, and its data are
    // on disk (fsync above). A failed directory fsync only leaves the name's
    // durability across a power cut uncertain; reporting failure now would
    // tell the caller "nothing changed" when it has (recovery codes replaced
    // but never shown). So the save counts as done.
    (void)::fsync(dirfd);
    return ok_status();
}

Status remove_checked(int dirfd, const std::string& name, const FileRules& rules) {
    CHORUS_ASSIGN_OR_RETURN(bool exists, entry_exists(dirfd, name, rules));
    if (exists && ::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT)
        return errno_error("unlink " + name, errno);
    return ok_status();
}

Result<SecretString> read_checked(int fd, std::size_t max_size) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errno_error("fstat", errno);
    auto size = static_cast<std::size_t>(st.st_size);
    if (size > max_size) return make_error(Errc::unsafe_file, "file too large");
    SecretString out;
    // One allocation of the final size (+1 to notice growth): no reallocation
    // leaves an unwiped copy of the secret on the heap.
    out.raw().resize(size + 1);
    std::size_t got = 0;
    while (got < size + 1) {
        ssize_t n = ::pread(fd, out.raw().data() + got, size + 1 - got, static_cast<off_t>(got));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read", errno);
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    // We hold the lock and replace records by rename, so a size change means
    // someone else writes the file: refuse it rather than parse a moving target.
    if (got != size) return make_error(Errc::corrupt, "file changed while being read");
    out.raw().resize(size);
    return out;
}

Status lock_exclusive(int fd, const std::string& name, int timeout_ms) {
    // Polling instead of a blocking flock: a blocked login must give up after a
    // bounded time, and alarm() signals would disturb the host process (sshd).
    const std::int64_t deadline = monotonic_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    long sleep_us = 500;
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return ok_status();
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) return errno_error("flock " + name, errno);
        if (monotonic_ms() >= deadline)
            return make_error(Errc::busy,
                              name + ": still locked after " + std::to_string(timeout_ms) + " ms");
        struct timespec ts {
            0, sleep_us * 1000
        };
        ::nanosleep(&ts, nullptr);
        if (sleep_us < 8000) sleep_us *= 2;
    }
}

}  // namespace chorus
