// SPDX-License-Identifier: BSD-2-Clause
#include "util/lazy_library.hpp"

#include <dlfcn.h>

#include <string>

#ifndef CHORUS_ARGON2_SONAME
#error "CHORUS_ARGON2_SONAME must name libargon2's soname (CMakeLists.txt)"
#endif
#ifndef CHORUS_QRENCODE_SONAME
#error "CHORUS_QRENCODE_SONAME must name libqrencode's soname (CMakeLists.txt)"
#endif
#ifndef CHORUS_SYSTEMD_SONAME
#error "CHORUS_SYSTEMD_SONAME must name libsystemd's soname (CMakeLists.txt)"
#endif

namespace chorus {

Result<void*> LazyLibrary::symbol(const char* name) {
    const std::lock_guard<std::mutex> hold(mutex_);
    if (handle_ == nullptr) {
        // By soname: the system's search (ld.so.cache, the default
        // directories); LD_LIBRARY_PATH is ignored in setuid programs.
        handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
        if (handle_ == nullptr) {
            const char* why = ::dlerror();  // NOLINT(concurrency-mt-unsafe): per-thread state in glibc
            return make_error(Errc::unsupported, std::string("cannot load ") + soname_ + ": " +
                                                     (why != nullptr ? why : "unknown error"));
        }
    }
    void* p = ::dlsym(handle_, name);
    if (p == nullptr) return make_error(Errc::unsupported, std::string(soname_) + " has no " + name);
    return p;
}

LazyLibrary& argon2_library() {
    static LazyLibrary lib(CHORUS_ARGON2_SONAME);
    return lib;
}

LazyLibrary& qrencode_library() {
    static LazyLibrary lib(CHORUS_QRENCODE_SONAME);
    return lib;
}

LazyLibrary& systemd_library() {
    static LazyLibrary lib(CHORUS_SYSTEMD_SONAME);
    return lib;
}

}  // namespace chorus
