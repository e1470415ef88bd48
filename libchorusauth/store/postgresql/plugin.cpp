// SPDX-License-Identifier: BSD-2-Clause
// The one symbol store-postgresql.so exports (store-postgresql.map).
#include <exception>
#include <new>

#include "store/postgresql/pg_admin.hpp"
#include "store/postgresql/pg_store.hpp"
#include "store/postgresql/plugin_abi.hpp"

namespace {

chorus::Result<std::unique_ptr<chorus::Store>> open(const chorus::StoreConfig& cfg,
                                                    const chorus::SecretBytes& seal_key) {
    try {
        return chorus::pg::open_pg_store(cfg, seal_key);
    } catch (const std::bad_alloc&) {
        return chorus::make_error(chorus::Errc::no_memory, "postgresql store: out of memory");
    } catch (const std::exception& e) {
        return chorus::make_error(chorus::Errc::internal, std::string("postgresql store: ") + e.what());
    }
}

const chorus::StorePluginV1 kPlugin = {
    sizeof(chorus::StorePluginV1), chorus::plugin_layout(),        CHORUS_STORE_PLUGIN_TAG, &open,
    &chorus::pg::db_command,       &chorus::pg::migrate_from_file,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const chorus::StorePluginV1* chorus_store_plugin_v1() {
    return &kPlugin;
}
