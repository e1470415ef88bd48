// SPDX-License-Identifier: BSD-2-Clause
#include "flows/context.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/postgresql/plugin_abi.hpp"
#include "util/fd.hpp"
#include "util/seal.hpp"
#include "util/trusted_file.hpp"

#ifndef CHORUS_PLUGINDIR
#define CHORUS_PLUGINDIR "/usr/lib/chorus"
#endif

namespace chorus {

// Loads store-postgresql.so once per process (never unloaded: libpq and
// OpenSSL keep process-wide state) and checks it was built with this tree.
Result<const StorePluginV1*> load_store_plugin(const std::string& configured) {
    const std::string path =
        configured.empty() ? std::string(CHORUS_PLUGINDIR "/" CHORUS_STORE_PLUGIN_FILE) : configured;
    // Code we are about to run: the trusted-file rule (root-owned, or ours for
    // an unprivileged caller; in such a directory; writable by nobody else),
    // and dlopen() of the very file checked, through its descriptor, so
    // nobody can swap it in between.
    TrustedFileOptions to;
    to.require_root_owner = false;  // root's, or the caller's own (which it could run anyway)
    to.max_bytes = std::size_t{64} << 20;
    auto plugin = open_trusted_file(path, to);
    if (!plugin.ok()) {
        Error e = std::move(plugin).error();
        if (e.code == Errc::not_found)
            return make_error(Errc::unsupported, "store plugin: " + e.message +
                                                     " (is the chorus PostgreSQL package installed?)");
        return make_error(e.code, "store plugin: " + e.message +
                                      " (a plugin must be a root-owned file in a root-owned directory, "
                                      "neither writable by group or others)");
    }
    const std::string by_fd = "/proc/self/fd/" + std::to_string(plugin->fd.get());
    if (::access(by_fd.c_str(), F_OK) != 0)
        return make_error(
            Errc::unsupported,
            "store plugin " + path + ": cannot be loaded through /proc/self/fd (is /proc mounted?)");
    void* h = ::dlopen(by_fd.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* why = ::dlerror();  // NOLINT(concurrency-mt-unsafe): glibc keeps dlerror state per thread
        return make_error(Errc::unsupported, "cannot load the postgresql store plugin " + path + ": " +
                                                 (why != nullptr ? why : "unknown error") +
                                                 " (is the chorus PostgreSQL package installed?)");
    }
    auto entry = reinterpret_cast<chorus_store_plugin_v1_fn>(::dlsym(h, CHORUS_STORE_PLUGIN_SYMBOL));
    const StorePluginV1* p = entry != nullptr ? entry() : nullptr;
    if (p == nullptr || p->struct_size != sizeof(StorePluginV1) || p->layout != plugin_layout() ||
        p->build_tag == nullptr || std::strcmp(p->build_tag, CHORUS_STORE_PLUGIN_TAG) != 0 ||
        p->open == nullptr || p->db_command == nullptr || p->migrate_from_file == nullptr)
        return make_error(Errc::unsupported, path + ": not a store plugin built for this libchorusauth");
    return p;
}

// The seal key file: root-owned like the config, and readable by root only.
Result<SecretBytes> load_seal_key(const std::string& path) {
    TrustedFileOptions to;
    to.require_root_owner = geteuid() == 0;
    to.secret = true;
    to.max_bytes = 128;
    auto read = read_trusted_file(path, to);
    // A key file anyone else could read or change is a configuration error.
    if (!read.ok() && read.code() == Errc::unsafe_file)
        return make_error(Errc::config, std::move(read).error().message);
    CHORUS_ASSIGN_OR_RETURN(std::string text, std::move(read));
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
        CHORUS_ASSIGN_OR_RETURN(const StorePluginV1* plugin, load_store_plugin(cfg.plugin));
        CHORUS_ASSIGN_OR_RETURN(SecretBytes key, load_seal_key(cfg.seal_key_file));
        return plugin->open(cfg, key);
    }
    }
    return make_error(Errc::internal, "unknown store backend");
}

}  // namespace chorus
