// SPDX-License-Identifier: BSD-2-Clause
#include "flows/context.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "config/safe_open.hpp"
#include "util/seal.hpp"

namespace chorus {
namespace {

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

}  // namespace

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
    case StoreBackend::postgresql:
        return make_error(Errc::unsupported, "the postgresql store is not built in this version");
    }
    return make_error(Errc::internal, "unknown store backend");
}

}  // namespace chorus
