// SPDX-License-Identifier: BSD-2-Clause
// Time source. Flows take a Clock so tests can pin time; production uses the
// system clock.
#pragma once

#include <cstdint>
#include <ctime>

namespace chorus {

class Clock {
public:
    virtual ~Clock() = default;
    virtual std::int64_t now() const { return static_cast<std::int64_t>(std::time(nullptr)); }
};

class FixedClock final : public Clock {
public:
    explicit FixedClock(std::int64_t t) : t_(t) {}
    std::int64_t now() const override { return t_; }
    void set(std::int64_t t) { t_ = t; }
    void advance(std::int64_t d) { t_ += d; }

private:
    std::int64_t t_;
};

}  // namespace chorus
