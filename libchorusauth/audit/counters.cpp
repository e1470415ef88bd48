// SPDX-License-Identifier: BSD-2-Clause
#include "audit/counters.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.hpp"

namespace chorus {
namespace {

// The file's layout. A new layout gets a new version; a process that finds
// another version counts nothing rather than misread the slots.
constexpr std::uint32_t kVersion = 1;
constexpr char kMagic[8] = {'C', 'H', 'O', 'R', 'U', 'S', 'C', 'T'};

struct PageLayout {
    char magic[8];
    std::uint32_t version;
    std::uint32_t slots;
    std::uint64_t reserved[6];
    std::uint64_t slot[CounterPage::kSlots];
};
static_assert(sizeof(PageLayout) == 64 + CounterPage::kSlots * 8);

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

bool owner_ok(const struct stat& st, bool writable) {
    if (st.st_uid == 0) return true;
    return writable && st.st_uid == ::geteuid();
}

Status check_node(const struct stat& st, bool writable, const std::string& what) {
    if (!owner_ok(st, writable)) return make_error(Errc::unsafe_file, what + " is not owned by root");
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return make_error(Errc::unsafe_file, what + " is writable by group or others");
    return {};
}

Result<UniqueFd> open_directory(const std::string& dir, bool writable) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && writable) {
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return errno_error("mkdir " + dir, errno);
        fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0 && errno == ENOENT) return make_error(Errc::not_found, dir + " does not exist");
    if (fd < 0) return errno_error("open " + dir, errno);
    UniqueFd dfd(fd);
    struct stat st {};
    if (::fstat(dfd.get(), &st) != 0) return errno_error("fstat " + dir, errno);
    CHORUS_RETURN_IF_ERROR(check_node(st, writable, dir));
    return dfd;
}

// A new file is zero-filled by ftruncate; the header goes in under the
// lock, so two first processes do not both write it.
Status initialise(int fd, const std::string& path) {
    if (::flock(fd, LOCK_EX) != 0) return errno_error("flock " + path, errno);
    struct stat st {};
    Status result;
    if (::fstat(fd, &st) != 0) {
        result = errno_error("fstat " + path, errno);
    } else if (st.st_size == 0) {
        PageLayout header{};
        std::memcpy(header.magic, kMagic, sizeof kMagic);
        header.version = kVersion;
        header.slots = CounterPage::kSlots;
        if (::ftruncate(fd, sizeof(PageLayout)) != 0 ||
            ::pwrite(fd, &header, offsetof(PageLayout, reserved), 0) != offsetof(PageLayout, reserved))
            result = errno_error("initialise " + path, errno);
    }
    (void)::flock(fd, LOCK_UN);
    return result;
}

}  // namespace

Result<std::unique_ptr<CounterPage>> CounterPage::open(const std::string& path, bool writable) {
    if (path.empty() || path[0] != '/')
        return make_error(Errc::invalid_argument, "counter page path must be absolute");
    CHORUS_ASSIGN_OR_RETURN(UniqueFd dir, open_directory(parent_of(path), writable));
    const std::string base = path.substr(path.rfind('/') + 1);
    const int flags = (writable ? O_RDWR | O_CREAT : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    const int raw = ::openat(dir.get(), base.c_str(), flags, 0644);
    if (raw < 0 && errno == ENOENT) return make_error(Errc::not_found, path + " does not exist");
    if (raw < 0) return errno_error("open " + path, errno);
    UniqueFd fd(raw);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error("fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return make_error(Errc::unsafe_file, path + " is not a regular file");
    CHORUS_RETURN_IF_ERROR(check_node(st, writable, path));
    if (writable) {
        if ((st.st_mode & 07777) != 0644 && ::fchmod(fd.get(), 0644) != 0)
            return errno_error("chmod " + path, errno);
        CHORUS_RETURN_IF_ERROR(initialise(fd.get(), path));
        if (::fstat(fd.get(), &st) != 0) return errno_error("fstat " + path, errno);
    }
    if (st.st_size != static_cast<off_t>(sizeof(PageLayout)))
        return make_error(Errc::corrupt, path + " is not a counter page of this version");
    void* map = ::mmap(nullptr, sizeof(PageLayout), writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
                       fd.get(), 0);
    if (map == MAP_FAILED) return errno_error("mmap " + path, errno);
    std::unique_ptr<CounterPage> page(new CounterPage(map, sizeof(PageLayout), writable));
    const auto* layout = static_cast<const PageLayout*>(map);
    if (std::memcmp(layout->magic, kMagic, sizeof kMagic) != 0 || layout->version != kVersion ||
        layout->slots != kSlots)
        return make_error(Errc::corrupt, path + " is not a counter page of this version");
    return page;
}

CounterPage::CounterPage(void* map, std::size_t size, bool writable)
    : map_(map), size_(size), writable_(writable) {}

CounterPage::~CounterPage() {
    ::munmap(map_, size_);
}

void CounterPage::add(std::size_t slot, std::uint64_t n) {
    if (!writable_ || slot >= kSlots) return;
    auto* layout = static_cast<PageLayout*>(map_);
    __atomic_fetch_add(&layout->slot[slot], n, __ATOMIC_RELAXED);
}

std::uint64_t CounterPage::read(std::size_t slot) const {
    if (slot >= kSlots) return 0;
    const auto* layout = static_cast<const PageLayout*>(map_);
    return __atomic_load_n(&layout->slot[slot], __ATOMIC_RELAXED);
}

}  // namespace chorus
