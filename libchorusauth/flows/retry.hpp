// SPDX-License-Identifier: BSD-2-Clause
// Beginning again when another writer changed a user's state between our
// read and our write (Errc::conflict: the fleet store's compare-and-set, or
// the file store's first write for a new user). Each attempt reads afresh,
// so it decides on what is now stored: a code another host just accepted is
// then a replay, a failure another host just counted is counted on top.
//
// Writers that lost a round wait a short random time before the next one,
// so a crowd of logins of one user (one code typed on many hosts at once)
// spreads out instead of colliding again in lockstep.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

inline constexpr int kConflictAttempts = 5;

// Up to 8, 16, 32, 64 ms after the first, second, ... lost round.
inline void conflict_backoff(int round) {
    std::uint16_t r = 0;
    if (!random_bytes(&r, sizeof r)) r = 0x7fff;  // no entropy: wait half the span
    const int span_ms = 8 << round;
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + r % span_ms));
}

template <typename Attempt>
Status retry_on_conflict(Attempt&& attempt) {
    Status st = make_error(Errc::internal, "no attempt made");  // a failure until an attempt answers
    for (int i = 0; i < kConflictAttempts; ++i) {
        st = attempt();
        if (st.ok() || st.code() != Errc::conflict) return st;
        if (i + 1 < kConflictAttempts) conflict_backoff(i);
    }
    // Five writers in a row for one user: refuse rather than loop on.
    return make_error(Errc::busy, st.error().message + " (gave up after " +
                                      std::to_string(kConflictAttempts) + " attempts)");
}

}  // namespace chorus
