// SPDX-License-Identifier: BSD-2-Clause
#include "flows/context.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/safe_open.hpp"
#include "store/postgresql/plugin_abi.hpp"
#include "util/fd.hpp"
#include "util/seal.hpp"

#ifndef CHORUS_PLUGINDIR
#define CHORUS_PLUGINDIR "/usr/lib/chorus"
#endif

namespace chorus {
namespace {

// A file we are about to run code from: root-owned (or ours, for an
// unprivileged caller), regular, not group/world-writable, in a directory
// with the same properties, so nobody can swap it before dlopen().
Status check_trusted_code(const std::string& path) {
    const std::string dir = path.substr(0, path.find_last_of('/') + 1);
    for (int i = 0; i < 2; ++i) {
        const std::string& p = i == 0 ? dir : path;
        struct stat st{};
        if (::lstat(p.c_str(), &st) != 0) return errno_error("store plugin " + p, errno);
        const bool kind_ok = i == 1 ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode);
        if (!kind_ok || (st.st_uid != 0 && st.st_uid != ::geteuid()) || (st.st_mode & 022) != 0)
            return make_error(Errc::unsafe_file, "store plugin " + p +
                                                     ": must be a root-owned file in a root-owned directory, "
                                                     "neither writable by group or others");
    }
    return ok_status();
}

// Loads store-postgresql.so once per process (never unloaded: libpq and
// OpenSSL keep process-wide state) and checks it was built with this tree.
Result<const StorePluginV1*> load_plugin(const std::string& configured) {
    const std::string path = configured.empty() ? std::string(CHORUS_PLUGINDIR "/" CHORUS_STORE_PLUGIN_FILE) : configured;
    CHORUS_RETURN_IF_ERROR(check_trusted_code(path));
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* why = ::dlerror();
        return make_error(Errc::unsupported, "cannot load the postgresql store plugin " + path + ": " +
                                                 (why != nullptr ? why : "unknown error") +
                                                 " (is the chorus PostgreSQL package installed?)");
    }
    auto entry = reinterpret_cast<chorus_store_plugin_v1_fn>(::dlsym(h, CHORUS_STORE_PLUGIN_SYMBOL));
    const StorePluginV1* p = entry != nullptr ? entry() : nullptr;
    if (p == nullptr || p->struct_size != sizeof(StorePluginV1) || p->layout != plugin_layout() ||
        p->build_tag == nullptr || std::strcmp(p->build_tag, CHORUS_STORE_PLUGIN_TAG) != 0 || p->open == nullptr)
        return make_error(Errc::unsupported, path + ": not a store plugin built for this libchorusauth");
    return p;
}

}  // namespace

// The seal key file: root-owned like the config, and readable by root only.
Result<SecretBytes> load_seal_key(const std::string& path) {
    TrustedFileOptions to;
    to.require_root_owner = geteuid() == 0;
    to.max_bytes = 128;
    CHORUS_ASSIGN_OR_RETURN(std::string text, read_trusted_file(path, to));
    struct stat st{};
    if (stat(path.c_str(), &st) != 0 || (st.st_mode & 077) != 0) {
        secure_wipe(text.data(), text.size());
        return make_error(Errc::config, path + ": a seal key must be readable by its owner only (chmod 600)");
    }
    auto key = parse_seal_key(text);
    secure_wipe(text.data(), text.size());
    if (!key.ok()) return make_error(Errc::config, path + ": " + key.error().message);
    return key;
}

Result<std::unique_ptr<Store>> open_store(const StoreConfig& cfg) {
    switch (cfg.backend) {
    case StoreBackend::file: {
        FileStoreOptions fo;
        fo.dir = cfg.path;
        fo.owner_uid = static_cast<unsigned>(geteuid());
        if (!cfg.seal_key_file.empty()) {
            CHORUS_ASSIGN_OR_RETURN(fo.seal_key, load_seal_key(cfg.seal_key_file));
        }
        return open_file_store(fo);
    }
    case StoreBackend::postgresql: {
        CHORUS_ASSIGN_OR_RETURN(const StorePluginV1* plugin, load_plugin(cfg.plugin));
        CHORUS_ASSIGN_OR_RETURN(SecretBytes key, load_seal_key(cfg.seal_key_file));
        return plugin->open(cfg, key);
    }
    }
    return make_error(Errc::internal, "unknown store backend");
}

}  // namespace chorus
