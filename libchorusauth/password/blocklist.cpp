// SPDX-License-Identifier: BSD-2-Clause
// Blocklist file: open + validate + map, lookup, and the compiler.
#include "password/blocklist.hpp"

#include <endian.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <istream>

#include "password/utf8.hpp"
#include "util/fd.hpp"
#include "util/trusted_file.hpp"

namespace chorus {
namespace {

constexpr char kMagic[8] = {'C', 'H', 'O', 'R', 'U', 'S', 'B', 'L'};

std::uint64_t load_le64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return le64toh(v);
}

std::uint32_t load_le32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return le32toh(v);
}

void store_le64(std::string& out, std::uint64_t v) {
    v = htole64(v);
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void store_le32(std::string& out, std::uint32_t v) {
    v = htole32(v);
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::vector<std::uint64_t> sorted_hashes(std::vector<std::uint64_t> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

void add_word(std::vector<std::uint64_t>& out, std::string_view word) {
    for (const std::string& k : blocklist_keys(word)) out.push_back(blocklist_hash(k));
}

// Removes the temporary file unless the rename happened.
struct TempFileGuard {
    std::string path;
    bool armed = true;
    ~TempFileGuard() {
        if (armed) ::unlink(path.c_str());
    }
};

Status fsync_parent_dir(const std::string& path) {
    std::string copy = path;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): glibc's dirname() works in copy, with no static buffer
    const char* dir = ::dirname(copy.data());
    UniqueFd dfd(::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd.valid()) return errno_error(std::string("open ") + dir, errno);
    if (::fsync(dfd.get()) != 0) return errno_error(std::string("fsync ") + dir, errno);
    return {};
}

}  // namespace

Blocklist::Blocklist(Blocklist&& o) noexcept
    : owned_(std::move(o.owned_)),
      map_(o.map_),
      map_len_(o.map_len_),
      entries_(o.entries_),
      count_(o.count_) {
    o.map_ = nullptr;
    o.map_len_ = 0;
    o.entries_ = nullptr;
    o.count_ = 0;
}

Blocklist& Blocklist::operator=(Blocklist&& o) noexcept {
    if (this != &o) {
        if (map_ != nullptr) ::munmap(map_, map_len_);
        owned_ = std::move(o.owned_);  // the buffer (and entries_ into it) moves along
        map_ = o.map_;
        map_len_ = o.map_len_;
        entries_ = o.entries_;
        count_ = o.count_;
        o.map_ = nullptr;
        o.map_len_ = 0;
        o.entries_ = nullptr;
        o.count_ = 0;
    }
    return *this;
}

Blocklist::~Blocklist() {
    if (map_ != nullptr) ::munmap(map_, map_len_);
}

Result<Blocklist> Blocklist::open(const std::string& path) {
    // The trusted-file rule: root's (or, for a process not running as root,
    // its own) regular file in such a directory, writable by nobody else.
    TrustedFileOptions to;
    to.require_root_owner = ::geteuid() == 0;
    to.max_bytes = kMaxFileSize;
    auto opened = open_trusted_file(path, to);
    if (!opened.ok()) {
        Error e = std::move(opened).error();
        return make_error(e.code == Errc::not_found ? Errc::io : e.code, "blocklist " + e.message);
    }
    const UniqueFd fd = std::move(opened->fd);
    const struct stat st = opened->st;
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (st.st_size < static_cast<off_t>(kHeaderSize) || size > kMaxFileSize)
        return make_error(Errc::corrupt, "blocklist " + path + " has an impossible size");

    Blocklist bl;
    bl.map_len_ = static_cast<std::size_t>(size);
    void* m = ::mmap(nullptr, bl.map_len_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (m == MAP_FAILED) return errno_error("mmap blocklist " + path, errno);
    bl.map_ = m;  // from here the destructor unmaps on every error path

    const auto* p = static_cast<const unsigned char*>(m);
    auto corrupt = [&](const char* why) {
        return make_error(Errc::corrupt, "blocklist " + path + ": " + why);
    };
    if (std::memcmp(p, kMagic, sizeof kMagic) != 0) return corrupt("bad magic");
    if (load_le32(p + 8) != kVersion) return corrupt("unsupported version (recompile the list)");
    if (load_le32(p + 12) != kHeaderSize) return corrupt("bad header size");
    const std::uint64_t count = load_le64(p + 16);
    if (load_le64(p + 24) != 0) return corrupt("reserved field not zero");
    // Compared by division, so a huge count cannot overflow the check.
    if ((size - kHeaderSize) % 8 != 0 || (size - kHeaderSize) / 8 != count)
        return corrupt("size does not match the entry count");
    bl.entries_ = p + kHeaderSize;
    bl.count_ = static_cast<std::size_t>(count);
    // Binary search is only correct on a strictly ascending array.
    for (std::size_t i = 1; i < bl.count_; ++i)
        if (load_le64(bl.entries_ + 8 * (i - 1)) >= load_le64(bl.entries_ + 8 * i))
            return corrupt("entries not strictly ascending");
    return bl;
}

Blocklist Blocklist::from_words(const std::vector<std::string>& words) {
    std::vector<std::uint64_t> hashes;
    hashes.reserve(words.size() * 3);
    for (const auto& w : words)
        if (!w.empty()) add_word(hashes, w);
    Blocklist bl;
    bl.owned_ = sorted_hashes(std::move(hashes));
    // Stored little-endian, like the file, so one lookup path serves both.
    for (auto& v : bl.owned_) v = htole64(v);
    bl.entries_ = reinterpret_cast<const unsigned char*>(bl.owned_.data());
    bl.count_ = bl.owned_.size();
    return bl;
}

bool Blocklist::contains_key(std::string_view key) const {
    const std::uint64_t h = blocklist_hash(key);
    std::size_t lo = 0;
    std::size_t hi = count_;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        const std::uint64_t v = load_le64(entries_ + 8 * mid);
        if (v == h) return true;
        if (v < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bool Blocklist::contains(std::string_view candidate) const {
    if (count_ == 0 || candidate.empty()) return false;
    std::vector<std::string> keys = blocklist_keys(candidate);
    bool hit = false;
    for (std::string& k : keys) {
        hit = contains_key(k) || hit;  // look up every key: no early exit
        wipe_string(k);                // the keys are forms of the password
    }
    return hit;
}

Status Blocklist::compile(std::istream& words, const std::string& out_path) {
    std::vector<std::uint64_t> hashes;
    std::string line;
    while (std::getline(words, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        add_word(hashes, line);
    }
    if (words.bad()) return make_error(Errc::io, "reading the word list failed");
    hashes = sorted_hashes(std::move(hashes));
    if (hashes.size() > (kMaxFileSize - kHeaderSize) / 8)
        return make_error(Errc::invalid_argument, "word list too large for one blocklist file");

    std::string out;
    out.reserve(kHeaderSize + 8 * hashes.size());
    out.append(kMagic, sizeof kMagic);
    store_le32(out, kVersion);
    store_le32(out, static_cast<std::uint32_t>(kHeaderSize));
    store_le64(out, hashes.size());
    store_le64(out, 0);
    for (std::uint64_t h : hashes) store_le64(out, h);

    TempFileGuard tmp{out_path + ".XXXXXX"};
    UniqueFd fd(::mkostemp(tmp.path.data(), O_CLOEXEC));
    if (!fd.valid()) {
        tmp.armed = false;
        return errno_error("create temporary file for " + out_path, errno);
    }
    // World-readable on purpose: the list is public data, and non-root
    // front ends (the reset tool's checklist) may need to read it.
    if (::fchmod(fd.get(), 0644) != 0) return errno_error("fchmod " + tmp.path, errno);
    CHORUS_RETURN_IF_ERROR(write_all(fd.get(), out));
    if (::fsync(fd.get()) != 0) return errno_error("fsync " + tmp.path, errno);
    if (::close(fd.release()) != 0) return errno_error("close " + tmp.path, errno);
    if (::rename(tmp.path.c_str(), out_path.c_str()) != 0) return errno_error("rename to " + out_path, errno);
    tmp.armed = false;
    return fsync_parent_dir(out_path);
}

}  // namespace chorus
