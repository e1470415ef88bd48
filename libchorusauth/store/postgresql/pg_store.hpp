// SPDX-License-Identifier: BSD-2-Clause
// The PostgreSQL rows behind the plugin contract (store/plugin_abi.h). Built
// only into the plugin, never into libchorusauth; it knows keys, record text
// and counters, not what a record means.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/plugin_abi.h"
#include "store/postgresql/pg_conn.hpp"

namespace chorus::pg {

struct Row {
    std::int64_t version = 0;  // 0: no row
    std::optional<std::string> record;
    chorus_store_live live{};
};

class PgRows {
public:
    explicit PgRows(ConnParams params) : conn_(std::move(params)) {}

    // Reads the row (one round trip; nothing is locked).
    Result<Row> begin(const std::string& key);
    // Writes record and/or live (nullptr: unchanged) if the row is still at
    // `expected` (0: absent); Errc::conflict otherwise. One round trip.
    Result<std::int64_t> put(const std::string& key, const std::string* record, const chorus_store_live* live,
                             std::int64_t expected);
    Status erase(const std::string& key);
    Result<std::vector<std::string>> list();
    Status spend_like_a_write();
    std::int64_t clock_offset() const { return conn_.clock_offset(); }

private:
    Result<PgResult> read_row(const std::string& key);

    Conn conn_;
};

}  // namespace chorus::pg
