// SPDX-License-Identifier: BSD-2-Clause
// The live-state file ("<user>.live": two checksummed 512-byte slots). The
// first byte chooses how the rest is used:
//   bit 0 set  the target rewrites both slots' SHA-256 fields, so mutations
//              reach the field checks instead of all failing the checksum;
//   bit 1 set  the rest is padded/cut to the file size (1024 bytes).
// Invariants: a decoded slot re-encodes to the very same bytes; the current
// slot is a valid one with the highest sequence number; writing a new state
// through the fd functions (as a login does) is read back exactly and leaves
// the other slot untouched, whatever the file held before (unless the
// sequence numbers ran out, when both slots are renumbered with the new state).
#include <openssl/evp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "fuzz_common.hpp"
#include "store/live_slots.hpp"

namespace {

void fix_checksum(std::string& file, std::size_t off) {
    if (file.size() < off + chorus::kLiveSlotSize) return;
    unsigned int len = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    if (EVP_Digest(file.data() + off, 480, md, &len, EVP_sha256(), nullptr) != 1 || len != 32) std::abort();
    std::memcpy(file.data() + off + 480, md, 32);
}

bool same(const chorus::LiveState& a, const chorus::LiveState& b) {
    return a.last_step == b.last_step && a.failures == b.failures &&
           a.first_failure_at == b.first_failure_at && a.locked_until == b.locked_until &&
           a.last_success_at == b.last_success_at && a.last_failure_at == b.last_failure_at;
}

int memfd_with(const std::string& bytes) {
    int fd = memfd_create("fuzz-live", MFD_CLOEXEC);
    if (fd < 0) std::abort();
    if (!bytes.empty() && pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
        std::abort();
    return fd;
}

std::string read_all(int fd) {
    std::string out(4096, '\0');
    ssize_t n = pread(fd, out.data(), out.size(), 0);
    if (n < 0) std::abort();
    out.resize(static_cast<std::size_t>(n));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string file(chorus_fuzz::as_text(data + 1, size - 1));
    if (mode & 2) file.resize(chorus::kLiveFileSize, '\0');
    if (mode & 1) {
        fix_checksum(file, 0);
        fix_checksum(file, chorus::kLiveSlotSize);
    }

    // Each slot on its own.
    std::optional<chorus::LiveSlot> slots[2];
    for (int i = 0; i < 2; ++i) {
        std::size_t off = static_cast<std::size_t>(i) * chorus::kLiveSlotSize;
        if (file.size() < off) break;
        std::string_view bytes = std::string_view(file).substr(off, chorus::kLiveSlotSize);
        slots[i] = chorus::decode_live_slot(bytes);
        if (slots[i]) {
            FUZZ_CHECK(bytes.size() == chorus::kLiveSlotSize);
            FUZZ_CHECK(slots[i]->seq != 0);
            FUZZ_CHECK(chorus::encode_live_slot(slots[i]->state, slots[i]->seq) == bytes);
        }
    }

    auto cur = chorus::pick_live_slot(file);
    if (file.size() != chorus::kLiveFileSize) {
        FUZZ_CHECK(!cur.ok() && cur.code() == chorus::Errc::corrupt);
    } else if (!slots[0] && !slots[1]) {
        FUZZ_CHECK(!cur.ok() && cur.code() == chorus::Errc::corrupt);
    } else {
        FUZZ_CHECK(cur.ok());
        FUZZ_CHECK(cur->index == 0 || cur->index == 1);
        const auto& chosen = slots[cur->index];
        const auto& other = slots[1 - cur->index];
        FUZZ_CHECK(chosen.has_value() && chosen->seq == cur->slot.seq &&
                   same(chosen->state, cur->slot.state));
        FUZZ_CHECK(!other || other->seq <= chosen->seq);
    }

    // A login's write over whatever the file holds: read back exactly, and the
    // slot that was current before survives byte for byte.
    int fd = memfd_with(file);
    auto before = chorus::read_live_fd(fd);
    FUZZ_CHECK(before.ok() == cur.ok());
    if (before.ok()) FUZZ_CHECK(same(*before, cur->slot.state));
    chorus::LiveState next;
    next.last_step = cur.ok() ? cur->slot.state.last_step + 1 : 1;
    next.failures = 3;
    next.first_failure_at = 1'800'000'000;
    next.last_failure_at = 1'800'000'042;
    FUZZ_CHECK(chorus::write_live_fd(fd, next).ok());
    auto after = chorus::read_live_fd(fd);
    FUZZ_CHECK(after.ok() && same(*after, next));
    std::string written = read_all(fd);
    FUZZ_CHECK(written.size() == chorus::kLiveFileSize);
    if (cur.ok() && cur->slot.seq < chorus::kMaxLiveSeq) {
        std::size_t off = static_cast<std::size_t>(cur->index) * chorus::kLiveSlotSize;
        FUZZ_CHECK(written.compare(off, chorus::kLiveSlotSize, file, off, chorus::kLiveSlotSize) == 0);
    } else if (cur.ok()) {
        // The numbers ran out: both slots hold the new state, numbered 1 and 2
        // (the later write, 2, in the slot that was current).
        std::size_t off = static_cast<std::size_t>(cur->index) * chorus::kLiveSlotSize;
        FUZZ_CHECK(written.compare(off, chorus::kLiveSlotSize, chorus::encode_live_slot(next, 2)) == 0);
        FUZZ_CHECK(written.compare(chorus::kLiveSlotSize - off, chorus::kLiveSlotSize,
                                   chorus::encode_live_slot(next, 1)) == 0);
    }
    close(fd);
    return 0;
}
