// SPDX-License-Identifier: BSD-2-Clause
// Helpers shared by the libFuzzer targets: invariant checks that abort (so
// libFuzzer keeps the input as a crash) and a private scratch directory.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

// An invariant the code under test promises; a violation is a finding.
#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

namespace chorus_fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A 0700 directory on tmpfs when there is one (state writes fsync on every
// input), removed at exit.
class ScratchDir {
public:
    ScratchDir() {
        char shm[] = "/dev/shm/chorus-fuzz-XXXXXX";
        char tmp[] = "/tmp/chorus-fuzz-XXXXXX";
        const char* p = mkdtemp(shm);
        if (p == nullptr) p = mkdtemp(tmp);
        if (p == nullptr) {
            std::perror("mkdtemp");
            std::abort();
        }
        path_ = p;
    }
    ~ScratchDir() {
        std::string cmd = "rm -rf '" + path_ + "'";
        if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cleanup of %s failed\n", path_.c_str());
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Replaces path with exactly these bytes, mode 0600.
inline void write_file(const std::string& path, std::string_view bytes) {
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) std::abort();
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
    if (std::fclose(f) != 0 || chmod(tmp.c_str(), 0600) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0)
        std::abort();
}

}  // namespace chorus_fuzz
