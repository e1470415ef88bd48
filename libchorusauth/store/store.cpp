// SPDX-License-Identifier: BSD-2-Clause
#include "store/store.hpp"

namespace chorus {

Status UserTxn::put_both(const UserRecord& rec, const LiveState& live) {
    CHORUS_RETURN_IF_ERROR(put_record(rec));
    return put_live(live);
}

Result<std::optional<UserRecord>> Store::peek_record(std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(auto txn, begin(user));
    return txn->record();
}

Result<bool> Store::has_method(std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, peek_record(user));
    return rec && rec->has_method();
}

}  // namespace chorus
