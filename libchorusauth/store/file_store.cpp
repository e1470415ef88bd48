// SPDX-License-Identifier: BSD-2-Clause
// The default Store: one directory, three files per user.
//
//   <enc>.rec   UserRecord (store/record_codec.hpp), replaced atomically
//   <enc>.live  LiveState slots (store/live_slots.hpp), written in place
//   <enc>.lock  empty flock target; never removed (a process may be waiting
//               on its inode, and a new inode would let two writers in)
//
// <enc> is encode_username(user). Files are only ever opened relative to the
// directory fd and checked (store/safe_file.hpp).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "store/live_slots.hpp"
#include "store/record_codec.hpp"
#include "store/safe_file.hpp"
#include "store/store.hpp"
#include "store/record_keys.hpp"
#include "util/seal.hpp"

namespace chorus {
namespace {

constexpr std::size_t kMaxLockBytes = 4096;  // we never write it; anything big is not ours

struct StoreCtx {
    UniqueFd dir;
    unsigned owner_uid = 0;
    int lock_timeout_ms = 0;
    SecretBytes seal_key;  // empty: keys stored unsealed
    FileRules rec_rules() const { return {owner_uid, kMaxRecordBytes}; }
    FileRules live_rules() const {
        return {owner_uid, kMaxRecordBytes};
    }  // exact size checked by the slot code
    FileRules lock_rules() const { return {owner_uid, kMaxLockBytes}; }
};

class FileTxn final : public UserTxn {
public:
    FileTxn(std::shared_ptr<const StoreCtx> ctx, std::string stem, UniqueFd lock)
        : ctx_(std::move(ctx)), stem_(std::move(stem)), lock_(std::move(lock)) {}

    Result<std::optional<UserRecord>> record() override {
        // Unlocked means begin() saw no state at all; report that snapshot.
        // put_*() re-checks it under the lock before writing anything.
        if (!lock_.valid()) return std::optional<UserRecord>{};
        auto fd = open_checked(dir(), name(".rec"), O_RDONLY, false, ctx_->rec_rules());
        if (!fd.ok() && fd.code() == Errc::not_found) return std::optional<UserRecord>{};
        if (!fd.ok()) return std::move(fd).error();
        CHORUS_ASSIGN_OR_RETURN(SecretString text, read_checked(fd->get(), kMaxRecordBytes));
        CHORUS_ASSIGN_OR_RETURN(UserRecord rec, parse_record(text.view()));
        CHORUS_RETURN_IF_ERROR(open_keys(rec, ctx_->seal_key, stem_, false));
        return std::optional<UserRecord>{std::move(rec)};
    }

    // Opened for writing and kept: the put_live() that usually follows (a
    // login's success or failure) writes through the same descriptor.
    Result<LiveState> live() override {
        if (!lock_.valid()) return LiveState{};
        if (!live_fd_.valid()) {
            auto fd = open_checked(dir(), name(".live"), O_RDWR, false, ctx_->live_rules());
            if (!fd.ok() && fd.code() == Errc::not_found) return LiveState{};
            if (!fd.ok()) return std::move(fd).error();
            live_fd_ = std::move(fd).value();
        }
        return read_live_fd(live_fd_.get());
    }

    Status put_record(const UserRecord& plain) override {
        const UserRecord* rec = &plain;
        UserRecord sealed_copy;
        if (!ctx_->seal_key.empty()) {
            // The encoded name is authenticated with each key: a sealed key
            // copied into another user's record does not open there.
            sealed_copy = plain;
            CHORUS_RETURN_IF_ERROR(seal_keys(sealed_copy, ctx_->seal_key, stem_));
            rec = &sealed_copy;
        }
        CHORUS_ASSIGN_OR_RETURN(SecretString text, encode_record(*rec));  // before locking: may fail cheaply
        CHORUS_RETURN_IF_ERROR(ensure_locked());
        return replace_file(dir(), name(".rec"), text.view(), ctx_->rec_rules());
    }

    Status put_live(const LiveState& s) override {
        CHORUS_RETURN_IF_ERROR(ensure_locked());
        if (live_fd_.valid()) return write_live_fd(live_fd_.get(), s);
        auto fd = open_checked(dir(), name(".live"), O_RDWR, false, ctx_->live_rules());
        // A new live file is created whole by atomic replace, so a live file on
        // disk always has both slots and a crash can't leave it empty.
        if (!fd.ok() && fd.code() == Errc::not_found)
            return replace_file(dir(), name(".live"), initial_live_file(s), ctx_->live_rules());
        if (!fd.ok()) return std::move(fd).error();
        return write_live_fd(fd->get(), s);
    }

    Status erase() override {
        if (!lock_.valid()) {
            // Nothing existed at begin(); don't create a lock file just to find
            // that nothing exists now either.
            CHORUS_ASSIGN_OR_RETURN(bool any, state_exists());
            if (!any) return ok_status();
        }
        CHORUS_RETURN_IF_ERROR(ensure_locked());
        CHORUS_RETURN_IF_ERROR(remove_checked(dir(), name(".rec"), ctx_->rec_rules()));
        live_fd_ = UniqueFd{};
        CHORUS_RETURN_IF_ERROR(remove_checked(dir(), name(".live"), ctx_->live_rules()));
        if (::fsync(dir()) != 0) return errno_error("fsync state directory", errno);
        return ok_status();
    }

private:
    int dir() const { return ctx_->dir.get(); }
    std::string name(std::string_view suffix) const { return stem_ + std::string(suffix); }

    Result<bool> state_exists() const {
        CHORUS_ASSIGN_OR_RETURN(bool rec, entry_exists(dir(), name(".rec"), ctx_->rec_rules()));
        CHORUS_ASSIGN_OR_RETURN(bool live, entry_exists(dir(), name(".live"), ctx_->live_rules()));
        return rec || live;
    }

    // Takes the lock a lazily-begun transaction skipped. The caller decided
    // what to write from "no state"; if state appeared meanwhile, writing would
    // lose another process's update, so that is Errc::conflict (begin again).
    Status ensure_locked() {
        if (lock_.valid()) return ok_status();
        CHORUS_ASSIGN_OR_RETURN(UniqueFd fd,
                                open_checked(dir(), name(".lock"), O_RDONLY, true, ctx_->lock_rules()));
        CHORUS_RETURN_IF_ERROR(lock_exclusive(fd.get(), name(".lock"), ctx_->lock_timeout_ms));
        CHORUS_ASSIGN_OR_RETURN(bool any, state_exists());
        if (any) return make_error(Errc::conflict, stem_ + ": state created concurrently; retry");
        lock_ = std::move(fd);
        return ok_status();
    }

    std::shared_ptr<const StoreCtx> ctx_;
    std::string stem_;
    UniqueFd lock_;     // holds the flock; closing it releases the lock
    UniqueFd live_fd_;  // the live file, once live() opened it (read-write)
};

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

class FileStore final : public Store {
public:
    explicit FileStore(std::shared_ptr<const StoreCtx> ctx) : ctx_(std::move(ctx)) {}

    Result<std::unique_ptr<UserTxn>> begin(std::string_view user) override {
        CHORUS_ASSIGN_OR_RETURN(std::string stem, encode_username(user));
        const std::string lock_name = stem + ".lock";
        auto fd = open_checked(ctx_->dir.get(), lock_name, O_RDONLY, false, ctx_->lock_rules());
        if (!fd.ok() && fd.code() == Errc::not_found) {
            // No lock file: an unknown user (or a first login) must not create
            // files, or anyone could fill the directory by trying names.
            CHORUS_ASSIGN_OR_RETURN(bool any, has_state(stem));
            if (!any) return std::unique_ptr<UserTxn>(new FileTxn(ctx_, std::move(stem), UniqueFd{}));
            // State without a lock file (copied in by an admin): lock it properly.
            fd = open_checked(ctx_->dir.get(), lock_name, O_RDONLY, true, ctx_->lock_rules());
        }
        if (!fd.ok()) return std::move(fd).error();
        CHORUS_RETURN_IF_ERROR(lock_exclusive(fd->get(), lock_name, ctx_->lock_timeout_ms));
        return std::unique_ptr<UserTxn>(new FileTxn(ctx_, std::move(stem), std::move(fd).value()));
    }

    // The record is replaced whole (rename), so reading it without the lock
    // sees one version or the next, never a mix. The TOTP key stays sealed:
    // presence is all this asks.
    Result<std::optional<UserRecord>> peek_record(std::string_view user) override {
        CHORUS_ASSIGN_OR_RETURN(std::string stem, encode_username(user));
        auto fd = open_checked(ctx_->dir.get(), stem + ".rec", O_RDONLY, false, ctx_->rec_rules());
        if (!fd.ok() && fd.code() == Errc::not_found) return std::optional<UserRecord>{};
        if (!fd.ok()) return std::move(fd).error();
        CHORUS_ASSIGN_OR_RETURN(SecretString text, read_checked(fd->get(), kMaxRecordBytes));
        CHORUS_ASSIGN_OR_RETURN(UserRecord rec, parse_record(text.view()));
        return std::optional<UserRecord>{std::move(rec)};
    }

    Status spend_like_a_write() override {
        // One fixed-size file for the whole store (".timing": no user's file
        // name starts with '.'), rewritten in place like a live slot.
        auto fd = open_checked(ctx_->dir.get(), ".timing", O_RDWR, true, ctx_->live_rules());
        if (!fd.ok()) return std::move(fd).error();
        static const std::string zeros(kLiveSlotSize, '\0');
        CHORUS_RETURN_IF_ERROR(pwrite_all(fd->get(), zeros, 0));
        if (::fdatasync(fd->get()) != 0) return errno_error("fdatasync .timing", errno);
        return ok_status();
    }

    Result<std::vector<std::string>> list_users() override {
        // A fresh open of "." gives this listing its own offset and DIR stream.
        int raw = ::openat(ctx_->dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (raw < 0) return errno_error("open state directory", errno);
        std::unique_ptr<DIR, DirCloser> d(::fdopendir(raw));
        if (!d) {
            int err = errno;
            ::close(raw);
            return errno_error("fdopendir state directory", err);
        }
        std::vector<std::string> users;
        constexpr std::string_view kSuffix = ".rec";
        for (;;) {
            errno = 0;
            // NOLINTNEXTLINE(concurrency-mt-unsafe): safe on a DIR* no other thread uses (d is ours)
            struct dirent* e = ::readdir(d.get());
            if (e == nullptr) break;
            std::string_view n(e->d_name);
            if (n.size() <= kSuffix.size() || n.substr(n.size() - kSuffix.size()) != kSuffix) continue;
            if (!is_regular(*e)) continue;  // links, FIFOs, directories: not users
            auto user = decode_username(n.substr(0, n.size() - kSuffix.size()));
            if (user.ok()) users.push_back(std::move(user).value());
        }
        if (errno != 0) return errno_error("read state directory", errno);
        std::sort(users.begin(), users.end());
        return users;
    }

private:
    Result<bool> has_state(const std::string& stem) const {
        CHORUS_ASSIGN_OR_RETURN(bool rec, present(stem + ".rec"));
        CHORUS_ASSIGN_OR_RETURN(bool live, present(stem + ".live"));
        return rec || live;
    }

    // Any directory entry counts, even an unsafe one: it is then refused with
    // Errc::unsafe_file when read, not mistaken for "no state".
    Result<bool> present(const std::string& name) const {
        struct stat st {};
        if (::fstatat(ctx_->dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
        if (errno == ENOENT) return false;
        return errno_error("stat " + name, errno);
    }

    bool is_regular(const struct dirent& e) const {
        if (e.d_type != DT_UNKNOWN) return e.d_type == DT_REG;
        struct stat st {};
        return ::fstatat(ctx_->dir.get(), e.d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    }

    std::shared_ptr<const StoreCtx> ctx_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_file_store(const FileStoreOptions& opts) {
    CHORUS_ASSIGN_OR_RETURN(UniqueFd dir, open_state_dir(opts.dir, opts.owner_uid));
    auto ctx = std::make_shared<StoreCtx>();
    ctx->dir = std::move(dir);
    ctx->owner_uid = opts.owner_uid;
    ctx->lock_timeout_ms = opts.lock_timeout_ms;
    ctx->seal_key = opts.seal_key;
    return std::unique_ptr<Store>(new FileStore(std::move(ctx)));
}

}  // namespace chorus
