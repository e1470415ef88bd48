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

    // Takes the user's lock, then reads the row.
    Result<Row> begin(const std::string& key);
    void end(const std::string& key);
    Result<std::int64_t> put_record(const std::string& key, const std::string& record, std::int64_t expected);
    Result<std::int64_t> put_live(const std::string& key, const chorus_store_live& live,
                                  std::int64_t expected);
    Status erase(const std::string& key);
    Result<std::vector<std::string>> list();
    Status spend_like_a_write();
    std::int64_t clock_offset() const { return conn_.clock_offset(); }

private:
    Status lock(const std::string& key);
    Result<std::int64_t> write(const std::string& key, const char* sql,
                               const std::vector<const char*>& params);

    Conn conn_;
};

}  // namespace chorus::pg
