// SPDX-License-Identifier: BSD-2-Clause
// The verify flow against unusual clocks: the first RFC 6238 step (T=59), the
// 2^31 boundary, a time beyond 32-bit seconds (T=20000000000), and a clock
// stepped backwards after a success (steps at or below the last accepted one
// stay refused; a later one is accepted). Expected codes are the RFC 6238
// Appendix B values (SHA1, key "12345678901234567890"), truncated to 6 digits,
// and independently computed values for the 2^31 boundary, not the library's
// own hotp(): a wrong step computation can't agree with itself here.
#include "flow_fixture.hpp"
#include "flows/verify.hpp"

using chorus::Errc;
using chorus_test::FlowFixture;

namespace {

int verify(FlowFixture& f, const std::string& user, const std::string& code) {
    chorus::VerifyOutcome o;
    chorus::Status st = chorus::verify_code(f.ctx, user, code, o);
    return st.ok() ? 0 : static_cast<int>(st.code());
}

constexpr int kOk = 0;
const int kReplay = static_cast<int>(Errc::replay);
const int kBadCode = static_cast<int>(Errc::bad_code);

void test_rfc6238_t59(void**) {
    FlowFixture f;
    f.enroll("alice");
    f.clock->set(59);
    assert_string_equal(f.code_now().c_str(), "287082");  // RFC 6238: 94287082
    assert_int_equal(verify(f, "alice", "287082"), kOk);
    assert_int_equal(verify(f, "alice", "287082"), kReplay);
}

void test_rfc6238_t20000000000(void**) {
    FlowFixture f;
    f.enroll("alice");
    f.clock->set(20'000'000'000LL);
    assert_string_equal(f.code_now().c_str(), "353130");  // RFC 6238: 65353130
    assert_int_equal(verify(f, "alice", "353130"), kOk);
    assert_int_equal(verify(f, "alice", "353130"), kReplay);
    // A 32-bit truncation of the time (20000000000 mod 2^32 = 2820130816)
    // would accept that step's code instead.
    std::string truncated = f.code_at(20'000'000'000LL % (1LL << 32));
    assert_int_equal(verify(f, "alice", truncated), kBadCode);
}

void test_2_31_boundary(void**) {
    // Both seconds are in step 71582788; its code is 24703886 (8 digits).
    FlowFixture f;
    f.enroll("alice");
    f.clock->set(2'147'483'647LL);
    assert_string_equal(f.code_now().c_str(), "703886");
    assert_int_equal(verify(f, "alice", "703886"), kOk);
    f.clock->set(2'147'483'648LL);  // one second later, same step: a replay
    assert_string_equal(f.code_now().c_str(), "703886");
    assert_int_equal(verify(f, "alice", "703886"), kReplay);
    // The next step, past the boundary, works.
    f.clock->set(2'147'483'648LL + 30);
    assert_int_equal(verify(f, "alice", f.code_now()), kOk);
}

void test_2_31_boundary_first_use_after(void**) {
    // Fresh user, first login at 2^31 exactly (a signed 32-bit time_t would be negative).
    FlowFixture f;
    f.enroll("alice");
    f.clock->set(2'147'483'648LL);
    assert_int_equal(verify(f, "alice", "703886"), kOk);
}

void test_clock_stepped_backwards(void**) {
    FlowFixture f;
    f.ctx.config.lockout.max_failures = 100;  // the refusals below must not lock
    f.enroll("alice");
    const std::int64_t t = chorus_test::kT0;
    std::string accepted = f.code_at(t);
    assert_int_equal(verify(f, "alice", accepted), kOk);

    // The clock goes back 10 minutes: codes for those earlier steps were
    // never used, but they are at or below the last accepted step.
    f.clock->set(t - 600);
    assert_int_equal(verify(f, "alice", f.code_now()), kReplay);
    assert_int_equal(verify(f, "alice", f.code_at(t - 600 + 30)), kReplay);
    // Back by one step: the previous step's code, and the accepted one (still
    // inside the window from there), are refused as replays.
    f.clock->set(t - 30);
    assert_int_equal(verify(f, "alice", f.code_now()), kReplay);
    assert_int_equal(verify(f, "alice", accepted), kReplay);
    // Back at the same step: still a replay.
    f.clock->set(t);
    assert_int_equal(verify(f, "alice", accepted), kReplay);
    // A later step is accepted, and is then the new floor.
    f.clock->set(t + 30);
    std::string later = f.code_now();
    assert_int_equal(verify(f, "alice", later), kOk);
    f.clock->set(t);
    assert_int_equal(verify(f, "alice", later), kReplay);  // still in the window from t
    assert_int_equal(verify(f, "alice", f.code_now()), kReplay);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_t59),
        cmocka_unit_test(test_rfc6238_t20000000000),
        cmocka_unit_test(test_2_31_boundary),
        cmocka_unit_test(test_2_31_boundary_first_use_after),
        cmocka_unit_test(test_clock_stepped_backwards),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
