// SPDX-License-Identifier: BSD-2-Clause
#include "store/open_store.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <utility>

#include "util/seal.hpp"
#include "util/trusted_file.hpp"

#ifndef CHORUS_PLUGINDIR
#define CHORUS_PLUGINDIR "/usr/lib/chorus"
#endif

namespace chorus {
namespace {

bool complete(const chorus_store_plugin& p) {
    return p.open != nullptr && p.close != nullptr && p.begin != nullptr && p.end != nullptr &&
           p.free_row != nullptr && p.put != nullptr && p.erase != nullptr && p.list != nullptr &&
           p.spend_like_a_write != nullptr && p.clock_offset != nullptr && p.admin != nullptr &&
           p.free_text != nullptr;
}

// The plugins this process has loaded, by file identity (device, inode).
// The file is dlopen()ed by its descriptor's name, /proc/self/fd/N, and
// glibc hands back an object already loaded under the same name: once N is
// closed and reused for another file, dlopen() would answer with the first
// plugin. So each file is loaded once, and its descriptor stays open (close
// on exec) for the life of the process, which keeps its name unique.
std::mutex loaded_mutex;
std::map<std::pair<dev_t, ino_t>, const chorus_store_plugin*> loaded;

}  // namespace

// Loads each plugin file once per process (never unloaded: libpq and
// OpenSSL keep process-wide state).
Result<const chorus_store_plugin*> load_store_plugin(const std::string& configured) {
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
    const std::lock_guard<std::mutex> hold(loaded_mutex);
    const auto id = std::make_pair(plugin->st.st_dev, plugin->st.st_ino);
    if (auto it = loaded.find(id); it != loaded.end()) return it->second;
    const std::string by_fd = "/proc/self/fd/" + std::to_string(plugin->fd.get());
    if (::access(by_fd.c_str(), F_OK) != 0)
        return make_error(
            Errc::unsupported,
            "store plugin " + path + ": cannot be loaded through /proc/self/fd (is /proc mounted?)");
    // An object still loaded under this name would be handed back instead
    // of the file checked: refuse rather than run it.
    if (void* stale = ::dlopen(by_fd.c_str(), RTLD_NOW | RTLD_NOLOAD); stale != nullptr) {
        ::dlclose(stale);
        return make_error(Errc::internal,
                          "store plugin " + path + ": " + by_fd + " names another loaded object");
    }
    void* h = ::dlopen(by_fd.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char* why = ::dlerror();  // NOLINT(concurrency-mt-unsafe): glibc keeps dlerror state per thread
        return make_error(Errc::unsupported, "cannot load the postgresql store plugin " + path + ": " +
                                                 (why != nullptr ? why : "unknown error") +
                                                 " (is the chorus PostgreSQL package installed?)");
    }
    auto entry = reinterpret_cast<chorus_store_plugin_fn>(::dlsym(h, CHORUS_STORE_PLUGIN_SYMBOL));
    const chorus_store_plugin* p = entry != nullptr ? entry() : nullptr;
    if (p == nullptr || p->abi != CHORUS_STORE_PLUGIN_ABI || p->struct_size != sizeof(chorus_store_plugin) ||
        !complete(*p)) {
        ::dlclose(h);  // frees the name for the next file given this descriptor number
        return make_error(Errc::unsupported, path + ": not a store plugin for this libchorusauth (contract " +
                                                 std::to_string(CHORUS_STORE_PLUGIN_ABI) + ")");
    }
    loaded.emplace(id, p);
    (void)plugin->fd.release();  // see `loaded`
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
        CHORUS_ASSIGN_OR_RETURN(const chorus_store_plugin* plugin, load_store_plugin(cfg.plugin));
        CHORUS_ASSIGN_OR_RETURN(SecretBytes key, load_seal_key(cfg.seal_key_file));
        return open_plugin_store(*plugin, cfg.conninfo, key);
    }
    }
    return make_error(Errc::internal, "unknown store backend");
}

}  // namespace chorus
