// SPDX-License-Identifier: BSD-2-Clause
#include "store/live_slots.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.hpp"

namespace chorus {
namespace {

constexpr char kMagic[4] = {'C', 'H', 'L', 'V'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kDataEnd = 64;     // bytes carrying fields
constexpr std::size_t kSumOffset = 480;  // SHA-256 of bytes [0, kSumOffset)
constexpr std::size_t kSumLen = 32;
static_assert(kSumOffset + kSumLen == kLiveSlotSize);

void put_u64(std::string& b, std::size_t off, std::uint64_t v) {
    for (std::size_t i = 0; i < 8; ++i) b[off + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_u32(std::string& b, std::size_t off, std::uint32_t v) {
    for (std::size_t i = 0; i < 4; ++i) b[off + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t get_u64(std::string_view b, std::size_t off) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b[off + i])) << (8 * i);
    return v;
}
std::uint32_t get_u32(std::string_view b, std::size_t off) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[off + i])) << (8 * i);
    return v;
}

bool slot_digest(std::string_view slot, unsigned char out[kSumLen]) {
    unsigned int len = 0;
    return EVP_Digest(slot.data(), kSumOffset, out, &len, EVP_sha256(), nullptr) == 1 && len == kSumLen;
}

Result<std::string> pread_file(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errno_error("fstat live state", errno);
    if (st.st_size != static_cast<off_t>(kLiveFileSize))
        return make_error(Errc::corrupt, "live state: wrong size " + std::to_string(st.st_size));
    std::string buf(kLiveFileSize, '\0');
    std::size_t got = 0;
    while (got < buf.size()) {
        ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(got));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("read live state", errno);
        }
        if (n == 0) return make_error(Errc::corrupt, "live state: shorter than expected");
        got += static_cast<std::size_t>(n);
    }
    return buf;
}

}  // namespace

std::string encode_live_slot(const LiveState& s, std::uint64_t seq) {
    std::string b(kLiveSlotSize, '\0');
    std::memcpy(b.data(), kMagic, sizeof kMagic);
    put_u32(b, 4, kVersion);
    put_u64(b, 8, seq);
    put_u64(b, 16, s.last_step);
    put_u32(b, 24, s.failures);
    put_u64(b, 32, static_cast<std::uint64_t>(s.first_failure_at));
    put_u64(b, 40, static_cast<std::uint64_t>(s.locked_until));
    put_u64(b, 48, static_cast<std::uint64_t>(s.last_success_at));
    put_u64(b, 56, static_cast<std::uint64_t>(s.last_failure_at));
    unsigned char sum[kSumLen];
    // An invalid slot, never trusted.
    // NOLINTNEXTLINE(modernize-return-braced-init-list): {n, '\0'} is the initializer_list ctor: 2 chars
    if (!slot_digest(b, sum)) return std::string(kLiveSlotSize, '\0');
    std::memcpy(b.data() + kSumOffset, sum, kSumLen);
    return b;
}

std::optional<LiveSlot> decode_live_slot(std::string_view b) {
    if (b.size() != kLiveSlotSize) return std::nullopt;
    unsigned char sum[kSumLen];
    if (!slot_digest(b, sum) || std::memcmp(sum, b.data() + kSumOffset, kSumLen) != 0) return std::nullopt;
    if (std::memcmp(b.data(), kMagic, sizeof kMagic) != 0 || get_u32(b, 4) != kVersion) return std::nullopt;
    if (get_u32(b, 28) != 0) return std::nullopt;
    for (std::size_t i = kDataEnd; i < kSumOffset; ++i)
        if (b[i] != '\0') return std::nullopt;
    LiveSlot out;
    out.seq = get_u64(b, 8);
    // Sequence numbers run 1..kMaxLiveSeq; write_live_fd renumbers before
    // leaving that range (a wrap to 0 would let the old slot win).
    if (out.seq == 0 || out.seq > kMaxLiveSeq) return std::nullopt;
    out.state.last_step = get_u64(b, 16);
    out.state.failures = get_u32(b, 24);
    out.state.first_failure_at = static_cast<std::int64_t>(get_u64(b, 32));
    out.state.locked_until = static_cast<std::int64_t>(get_u64(b, 40));
    out.state.last_success_at = static_cast<std::int64_t>(get_u64(b, 48));
    out.state.last_failure_at = static_cast<std::int64_t>(get_u64(b, 56));
    return out;
}

std::string initial_live_file(const LiveState& s) {
    std::string f = encode_live_slot(s, 1);
    f.append(kLiveSlotSize, '\0');
    return f;
}

Result<CurrentSlot> pick_live_slot(std::string_view file) {
    if (file.size() != kLiveFileSize) return make_error(Errc::corrupt, "live state: wrong size");
    auto a = decode_live_slot(file.substr(0, kLiveSlotSize));
    auto b = decode_live_slot(file.substr(kLiveSlotSize));
    if (!a && !b)
        return make_error(Errc::corrupt, "live state: no valid slot (run `chorusctl unlock` to reset it)");
    if (a && (!b || a->seq >= b->seq)) return CurrentSlot{0, *a};
    return CurrentSlot{1, *b};
}

Result<LiveState> read_live_fd(int fd) {
    CHORUS_ASSIGN_OR_RETURN(std::string file, pread_file(fd));
    CHORUS_ASSIGN_OR_RETURN(CurrentSlot cur, pick_live_slot(file));
    return cur.slot.state;
}

Status write_live_fd(int fd, const LiveState& s) {
    int target = 0;
    std::uint64_t seq = 1;
    auto file = pread_file(fd);
    if (file.ok()) {
        if (auto cur = pick_live_slot(*file); cur.ok()) {
            target = 1 - cur->index;
            seq = cur->slot.seq + 1;
        }
    } else if (file.code() == Errc::corrupt) {
        // Wrong size: this write is the repair (`chorusctl unlock`). Give the
        // file its proper size; both slots start out invalid.
        if (::ftruncate(fd, 0) != 0 || ::ftruncate(fd, static_cast<off_t>(kLiveFileSize)) != 0)
            return errno_error("truncate live state", errno);
    } else {
        return std::move(file).error();
    }
    auto put = [&](int slot_index, std::uint64_t n) -> Status {
        std::string slot = encode_live_slot(s, n);
        CHORUS_RETURN_IF_ERROR(
            pwrite_all(fd, slot, static_cast<long long>(slot_index) * static_cast<long long>(kLiveSlotSize)));
        // fdatasync also flushes a size change (the repair path); no other metadata matters here.
        if (::fdatasync(fd) != 0) return errno_error("fdatasync live state", errno);
        return ok_status();
    };
    if (seq <= kMaxLiveSeq) return put(target, seq);
    // The numbers ran out (2^64 writes, or a planted file): write the new
    // state into both slots, numbered afresh. A crash in between leaves the
    // old state, and this call has not reported success.
    CHORUS_RETURN_IF_ERROR(put(target, 1));
    return put(1 - target, 2);
}

}  // namespace chorus
