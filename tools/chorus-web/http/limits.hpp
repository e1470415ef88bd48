// SPDX-License-Identifier: BSD-2-Clause
// Request budgets kept by the HTTP process, so that a page refresh or a new
// cookie does not reset them: POSTs per client address per minute, and
// sign-ins and reset starts per account name per hour (counted on the name
// as typed, whether or not such an account exists, so the limit itself
// tells nothing). The table is bounded; the oldest keys go first.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace chorus_web {

class RateLimit {
public:
    RateLimit(int limit, std::chrono::seconds window, std::size_t max_keys = 65536)
        : limit_(limit), window_(window), max_keys_(max_keys) {}
    // Counts one event for key; false when key is over its budget.
    bool allow(const std::string& key);

private:
    using Clock = std::chrono::steady_clock;
    std::mutex mu_;
    std::map<std::string, std::deque<Clock::time_point>> events_;
    int limit_;
    std::chrono::seconds window_;
    std::size_t max_keys_;
};

}  // namespace chorus_web
