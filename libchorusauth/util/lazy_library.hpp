// SPDX-License-Identifier: BSD-2-Clause
// A shared library only some paths need (libargon2 for password history,
// libqrencode for registration, libsystemd for the journal), loaded on first
// use rather than by every login: each library a login process maps is loaded, relocated (-z now)
// and unloaded again at every pam_start/pam_end. The soname is the one the
// build found (CMakeLists.txt); the package depends on it explicitly.
#pragma once

#include <mutex>

#include "util/result.hpp"

namespace chorus {

class LazyLibrary {
public:
    explicit LazyLibrary(const char* soname) : soname_(soname) {}
    LazyLibrary(const LazyLibrary&) = delete;
    LazyLibrary& operator=(const LazyLibrary&) = delete;

    // The address of `name`, loading the library on the first call (never
    // unloaded). Errc::unsupported when the library or the symbol is missing.
    Result<void*> symbol(const char* name);

    // Typed: symbol<decltype(argon2id_verify)>("argon2id_verify").
    template <typename Fn>
    Result<Fn*> function(const char* name) {
        CHORUS_ASSIGN_OR_RETURN(void* p, symbol(name));
        return reinterpret_cast<Fn*>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): dlsym
    }

private:
    const char* soname_;
    std::mutex mutex_;
    void* handle_ = nullptr;
};

// The libraries, one instance each per process. libsystemd sends audit
// events to the journal (audit/journal.hpp); sshd has it mapped already.
LazyLibrary& argon2_library();
LazyLibrary& qrencode_library();
LazyLibrary& systemd_library();

}  // namespace chorus
