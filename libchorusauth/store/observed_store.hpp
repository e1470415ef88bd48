// SPDX-License-Identifier: BSD-2-Clause
// A Store that tells its owner what happened, for the audit events and the
// metrics: how long each operation took (a transaction from begin(), its
// lock wait included, until it is released; each peek_record()), and each
// user record that a put or an erase replaced, with what replaced it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "store/store.hpp"

namespace chorus {

struct StoreObserver {
    std::function<void(std::int64_t micros)> latency;
    // After a successful put_record, put_both or erase (after: nullopt).
    // Not called when the record before could not be read.
    std::function<void(std::string_view user, const std::optional<UserRecord>& before,
                       const std::optional<UserRecord>& after)>
        record_changed;
};

std::unique_ptr<Store> observe_store(std::unique_ptr<Store> inner, StoreObserver observer);

}  // namespace chorus
