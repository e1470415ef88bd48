// SPDX-License-Identifier: BSD-2-Clause
#include "util/trusted_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace chorus {
namespace {

struct SplitPath {
    std::string dir;
    std::string base;
};

// "a/b/c" -> {"a/b", "c"}; "c" -> {".", "c"}; "/c" -> {"/", "c"}.
SplitPath split_path(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return {".", path};
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Error system_error(const std::string& what, int err) {
    if (err == ENOENT || err == ENOTDIR) return make_error(Errc::not_found, errno_message(what, ENOENT));
    // ELOOP is what O_NOFOLLOW reports for a symlink in the last component.
    if (err == ELOOP)
        return make_error(Errc::unsafe_file, what + ": is a symbolic link; refusing to follow it");
    return errno_error(what, err);
}

bool owner_ok(const struct stat& st, bool require_root_owner) {
    if (st.st_uid == 0) return true;
    return !require_root_owner && st.st_uid == ::geteuid();
}

const char* owner_rule(bool require_root_owner) {
    return require_root_owner ? "root" : "root or the current user";
}

// Shared by the directory and the file: the same owner and write rules.
Status check_owner_and_mode(const std::string& what, const struct stat& st, bool require_root_owner) {
    if (!owner_ok(st, require_root_owner))
        return make_error(Errc::unsafe_file, what + ": owned by uid " + std::to_string(st.st_uid) +
                                                 ", must be owned by " + owner_rule(require_root_owner));
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return make_error(Errc::unsafe_file, what + ": is group- or world-writable");
    return {};
}

Result<UniqueFd> open_checked_dir(const std::string& dir, bool require_root_owner) {
    // Symlinks in the directory part are followed on purpose (distributions
    // link /etc subtrees); what counts is that the directory reached is one
    // only root can modify, and we keep it open so it can't change under us.
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return system_error(dir, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error("fstat(" + dir + ")", errno);
    CHORUS_RETURN_IF_ERROR(check_owner_and_mode("directory " + dir, st, require_root_owner));
    return fd;
}

}  // namespace

Result<TrustedFile> open_trusted_file(const std::string& path, const TrustedFileOptions& opts) {
    if (path.empty()) return make_error(Errc::invalid_argument, "empty file name");
    SplitPath parts = split_path(path);
    if (parts.base.empty() || parts.base == "." || parts.base == "..")
        return make_error(Errc::invalid_argument, path + ": not a file name");

    CHORUS_ASSIGN_OR_RETURN(UniqueFd dir, open_checked_dir(parts.dir, opts.require_root_owner));

    // O_NONBLOCK: opening a FIFO with no writer must not hang a login.
    TrustedFile f;
    f.fd.reset(
        ::openat(dir.get(), parts.base.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!f.fd.valid()) return system_error(path, errno);

    if (::fstat(f.fd.get(), &f.st) != 0) return errno_error("fstat(" + path + ")", errno);
    if (!S_ISREG(f.st.st_mode)) return make_error(Errc::unsafe_file, path + ": not a regular file");
    CHORUS_RETURN_IF_ERROR(check_owner_and_mode(path, f.st, opts.require_root_owner));
    if (opts.secret && (f.st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return make_error(Errc::unsafe_file,
                          path + ": a secret must be readable by its owner only (chmod 600)");
    if (f.st.st_size < 0 || static_cast<unsigned long long>(f.st.st_size) > opts.max_bytes)
        return make_error(Errc::unsafe_file,
                          path + ": larger than " + std::to_string(opts.max_bytes) + " bytes");
    return f;
}

Result<std::string> read_trusted_file(const std::string& path, const TrustedFileOptions& opts) {
    CHORUS_ASSIGN_OR_RETURN(TrustedFile f, open_trusted_file(path, opts));
    auto content = read_all(f.fd.get(), opts.max_bytes);
    if (!content.ok()) {
        Error e = std::move(content).error();
        return make_error(e.code, path + ": " + e.message);
    }
    return std::move(content).value();
}

}  // namespace chorus
