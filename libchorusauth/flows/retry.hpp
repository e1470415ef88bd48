// SPDX-License-Identifier: BSD-2-Clause
// Beginning again when another writer changed a user's state between our
// read and our write (Errc::conflict: the fleet store's compare-and-set, or
// the file store's first write for a new user). Each attempt reads afresh,
// so it decides on what is now stored: a code another host just accepted is
// then a replay, a failure another host just counted is counted on top.
#pragma once

#include "util/result.hpp"

namespace chorus {

inline constexpr int kConflictAttempts = 5;

template <typename Attempt>
Status retry_on_conflict(Attempt&& attempt) {
    Status st = make_error(Errc::internal, "no attempt made");  // a failure until an attempt answers
    for (int i = 0; i < kConflictAttempts; ++i) {
        st = attempt();
        if (st.ok() || st.code() != Errc::conflict) return st;
    }
    // Five writers in a row for one user: refuse rather than loop on.
    return make_error(Errc::busy, st.error().message + " (gave up after " +
                                      std::to_string(kConflictAttempts) + " attempts)");
}

}  // namespace chorus
