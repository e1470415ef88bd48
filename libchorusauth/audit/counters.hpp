// SPDX-License-Identifier: BSD-2-Clause
// The host's event counters: one small file of 64-bit counters under /run,
// mapped by every process that emits events. A count is an atomic add in
// shared memory, never a disk write, so the login path pays no flush for
// metrics; `chorusctl metrics` and chorus-web's /metrics read the same page.
// tmpfs: the counters start again at boot, as Prometheus counters may.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace chorus {

class CounterPage {
public:
    static constexpr std::size_t kSlots = 1024;

    // Maps the page at path. writable: as the owner of the page (root),
    // creating the file (mode 0644) and, one level up, its directory (0755)
    // when missing. Read-only: a reader of the metrics, any uid.
    // The directory and the file must be owned by root (or this euid when
    // writable), not writable by group or others, the file not a symlink,
    // a regular file of exactly the page's size. Errors: not_found (no page
    // yet, read-only), unsafe_file, corrupt (another layout), io.
    static Result<std::unique_ptr<CounterPage>> open(const std::string& path, bool writable);

    CounterPage(const CounterPage&) = delete;
    CounterPage& operator=(const CounterPage&) = delete;
    ~CounterPage();

    void add(std::size_t slot, std::uint64_t n = 1);  // out of range: ignored
    std::uint64_t read(std::size_t slot) const;       // out of range: 0

private:
    CounterPage(void* map, std::size_t size, bool writable);
    void* map_;
    std::size_t size_;
    bool writable_;
};

}  // namespace chorus
