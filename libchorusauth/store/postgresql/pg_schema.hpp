// SPDX-License-Identifier: BSD-2-Clause
// Versioned schema migrations (`chorusctl db init|migrate|status`).
#pragma once

#include <string>

#include "store/postgresql/pg_conn.hpp"

namespace chorus::pg {

// The version recorded in chorus.schema_version; 0 when the schema is absent.
Result<int> schema_version(Conn& conn);
// Applies migrations (current, kSchemaVersion] in one transaction, serialised
// by an advisory lock. init refuses a database that already has the schema.
Result<int> apply_migrations(Conn& conn, bool init);

}  // namespace chorus::pg
