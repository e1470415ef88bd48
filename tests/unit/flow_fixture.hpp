// SPDX-License-Identifier: BSD-2-Clause
// A Context over a fresh state directory with a pinned clock, for flow tests.
#pragma once

#include <memory>
#include <string>

#include "flows/context.hpp"
#include "flows/enroll.hpp"
#include "otp/hotp.hpp"
#include "testutil.hpp"

namespace chorus_test {

inline constexpr std::int64_t kT0 = 1'800'000'000;  // a fixed "now" (2027)

struct FlowFixture {
    TempDir dir;
    std::shared_ptr<chorus::FixedClock> clock = std::make_shared<chorus::FixedClock>(kT0);
    chorus::Context ctx;

    FlowFixture() {
        ctx.config.store.path = dir.file("state");
        ctx.config.password.history.argon2 = {1, 8192, 1};  // fast in tests
        auto store = chorus::open_store(ctx.config.store);
        if (!store.ok()) abort();
        ctx.store = std::move(store).value();
        ctx.clock = clock;
    }

    // Enrolls user with a known 20-byte key; returns nothing, aborts on failure.
    void enroll(const std::string& user) {
        chorus::EnrollRequest req;
        req.secret_base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";  // "12345678901234567890"
        auto e = chorus::enrollment_prepare(ctx, user, req);
        if (!e.ok()) abort();
        if (!chorus::enrollment_commit(ctx, *e, "").ok()) abort();
    }

    // The correct code for the enrolled key at `now + offset_steps` steps.
    std::string code_at(std::int64_t t) const {
        static const char key[] = "12345678901234567890";
        auto c = chorus::hotp(chorus::HashAlgorithm::sha1, reinterpret_cast<const std::uint8_t*>(key), 20,
                              chorus::totp_step(t, 30), 6);
        if (!c.ok()) abort();
        return std::string(c->view());
    }
    std::string code_now() const { return code_at(clock->now()); }
};

}  // namespace chorus_test
