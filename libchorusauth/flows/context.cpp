// SPDX-License-Identifier: BSD-2-Clause
#include "flows/context.hpp"

#include <unistd.h>

namespace chorus {

Result<std::unique_ptr<Store>> open_store(const StoreConfig& cfg) {
    switch (cfg.backend) {
    case StoreBackend::file: {
        FileStoreOptions fo;
        fo.dir = cfg.path;
        fo.owner_uid = static_cast<unsigned>(geteuid());
        return open_file_store(fo);
    }
    case StoreBackend::postgresql:
        return make_error(Errc::unsupported, "the postgresql store is not built in this version");
    }
    return make_error(Errc::internal, "unknown store backend");
}

}  // namespace chorus
