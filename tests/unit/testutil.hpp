// SPDX-License-Identifier: BSD-2-Clause
// Shared bits for the cmocka unit tests (C++).
#pragma once

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ios>
#include <string>

// cmocka last: its fail() macro breaks standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

namespace chorus_test {

// A fresh 0700 directory under /tmp, removed (recursively) on destruction.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/chorus-test-XXXXXX";
        char* p = mkdtemp(tmpl);
        if (p == nullptr) abort();
        path_ = p;
    }
    ~TempDir() {
        std::string cmd = "rm -rf '" + path_ + "'";
        if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cleanup of %s failed\n", path_.c_str());
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

inline void write_file(const std::string& path, const std::string& content, mode_t mode = 0600) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) abort();
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
    chmod(path.c_str(), mode);
}

}  // namespace chorus_test
