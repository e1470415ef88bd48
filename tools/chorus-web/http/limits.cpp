// SPDX-License-Identifier: BSD-2-Clause
#include "http/limits.hpp"

namespace chorus_web {

bool RateLimit::allow(const std::string& key) {
    const auto now = Clock::now();
    const std::lock_guard lock(mu_);
    if (events_.size() >= max_keys_ && !events_.contains(key)) {
        // Drop the keys whose window has passed; if none has, the key that
        // was quiet longest.
        std::erase_if(events_,
                      [&](const auto& kv) { return kv.second.empty() || now - kv.second.back() > window_; });
        if (events_.size() >= max_keys_) {
            auto oldest = events_.begin();
            for (auto it = events_.begin(); it != events_.end(); ++it)
                if (it->second.back() < oldest->second.back()) oldest = it;
            events_.erase(oldest);
        }
    }
    auto& q = events_[key];
    while (!q.empty() && now - q.front() >= window_) q.pop_front();
    if (q.size() >= static_cast<std::size_t>(limit_)) return false;
    q.push_back(now);
    return true;
}

}  // namespace chorus_web
