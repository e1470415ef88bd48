// SPDX-License-Identifier: BSD-2-Clause
// "Sign in another way" (flows/login_other_method): a code by SMS or a call
// approved with #. An unknown account, an account without a phone and a
// channel that is not configured are always refused, with the same words;
// for an account that exists the refusal is counted like a wrong code.
#include "delivery_stub.hpp"
#include "flow_fixture.hpp"
#include "flows/contact_proof.hpp"
#include "flows/admin.hpp"
#include "flows/login_other_method.hpp"

using chorus::Errc;
using chorus_test::CallbackPrompter;
using chorus_test::DeliveryStub;
using chorus_test::FlowFixture;

namespace {

constexpr const char* kPhone = "+15551234567";

// alice is enrolled and has a phone; both phone channels go to a stub.
struct PhoneFixture : FlowFixture {
    DeliveryStub stub{dir, ctx.config.delivery};
    PhoneFixture() {
        ctx.config.delivery.sms_url = "https://sms.example.org/send";
        ctx.config.delivery.voice_url = "https://voice.example.org/call";
        enroll("alice");
        if (!chorus::store_contact(ctx, "alice", chorus::ContactSlot::phone, kPhone, true).ok()) abort();
    }
    std::uint32_t failures(const char* user = "alice") {
        auto s = chorus::user_status(ctx, user);
        if (!s.ok()) abort();
        return s->failures;
    }
    // 0 for success, else the Errc (a success has no code to read).
    static int result(const chorus::Status& st) { return st.ok() ? 0 : static_cast<int>(st.code()); }
    int sms(std::string_view user, bool exists, CallbackPrompter& p) {
        chorus::VerifyOutcome o;
        return result(chorus::sign_in_by_sms(ctx, user, exists, p, o));
    }
    int call(std::string_view user, bool exists, CallbackPrompter& p) {
        chorus::VerifyOutcome o;
        return result(chorus::sign_in_by_call(ctx, user, exists, p, o));
    }
};

constexpr int kBadCode = static_cast<int>(Errc::bad_code);

// ---- SMS ------------------------------------------------------------------------

void test_sms_sign_in_for_an_account_that_does_not_exist_is_refused(void**) {
    PhoneFixture f;
    // Whatever is typed (the prompter copies the newest code the stub saw, if any).
    CallbackPrompter p([&] { return f.stub.last_code(); });
    // alice's state is there, but the system says there is no such account:
    // nothing is sent to her phone, nothing is counted against her.
    assert_int_equal(f.sms("alice", false, p), kBadCode);
    assert_int_equal(f.sms("ghost", false, p), kBadCode);
    assert_int_equal(f.sms("../alice", true, p), kBadCode);  // a name that never names state
    assert_int_equal(p.asks, 3);                             // asked all the same
    assert_int_equal(f.stub.requests(), 0);
    assert_int_equal(f.failures(), 0);
}

void test_sms_sign_in_without_a_phone_or_gateway_is_refused_and_counted(void**) {
    PhoneFixture f;
    CallbackPrompter p([&] { return f.stub.last_code(); });
    f.ctx.config.delivery.sms_url.clear();  // no way to send
    assert_int_equal(f.sms("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 1);
    f.ctx.config.delivery.sms_url = "https://sms.example.org/send";
    assert_true(
        chorus::user_set_contact(f.ctx, "alice", std::string_view(""), std::nullopt).ok());  // no phone
    assert_int_equal(f.sms("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 2);
    f.enroll("bob");  // no phone from the start
    assert_int_equal(f.sms("bob", true, p), kBadCode);
    assert_int_equal(f.failures("bob"), 1);
    assert_int_equal(f.sms("carol", true, p), kBadCode);  // exists, never registered: nothing to count
    assert_int_equal(p.asks, 4);
    assert_int_equal(f.stub.requests(), 0);
}

void test_sms_sign_in_takes_the_sent_code_and_counts_a_wrong_one(void**) {
    PhoneFixture f;
    CallbackPrompter wrong([&] { return chorus_test::other_code(f.stub.last_code()); });
    assert_int_equal(f.sms("alice", true, wrong), kBadCode);
    assert_int_equal(f.failures(), 1);
    CallbackPrompter right([&] { return f.stub.last_code(); });
    chorus::VerifyOutcome o;
    assert_true(chorus::sign_in_by_sms(f.ctx, "alice", true, right, o).ok());
    assert_int_equal(f.failures(), 0);
    assert_int_equal(f.stub.requests(), 2);
    assert_true(f.stub.outbox().find(std::string("channel: sms\nto: ") + kPhone + "\n") != std::string::npos);
    // A locked account stays locked, right code or not.
    f.ctx.config.lockout.max_failures = 2;
    assert_int_equal(f.sms("alice", true, wrong), kBadCode);
    assert_int_equal(f.sms("alice", true, wrong), static_cast<int>(Errc::locked));
    assert_int_equal(f.sms("alice", true, right), static_cast<int>(Errc::locked));
}

void test_sms_that_cannot_be_sent_is_refused(void**) {
    PhoneFixture f;
    f.stub.exit_with(1);
    CallbackPrompter p([] { return std::string("123456"); });
    assert_false(f.sms("alice", true, p) == 0);
    assert_int_equal(p.asks, 0);
    assert_int_equal(p.errors.size(), 1);  // told to pick another method
}

// ---- voice call -----------------------------------------------------------------

void test_call_for_an_account_that_does_not_exist_is_refused(void**) {
    PhoneFixture f;  // the stub approves every call
    CallbackPrompter p([] { return std::string(); });
    assert_int_equal(f.call("alice", false, p), kBadCode);
    assert_int_equal(f.call("ghost", false, p), kBadCode);
    assert_int_equal(f.call("../alice", true, p), kBadCode);
    assert_int_equal(f.stub.requests(), 0);
    assert_int_equal(f.failures(), 0);
}

void test_call_without_a_phone_or_gateway_is_refused_and_counted(void**) {
    PhoneFixture f;
    CallbackPrompter p([] { return std::string(); });
    f.ctx.config.delivery.voice_url.clear();
    assert_int_equal(f.call("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 1);
    f.ctx.config.delivery.voice_url = "https://voice.example.org/call";
    assert_true(chorus::user_set_contact(f.ctx, "alice", std::string_view(""), std::nullopt).ok());
    assert_int_equal(f.call("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 2);
    assert_int_equal(f.call("carol", true, p), kBadCode);  // exists, never registered
    assert_int_equal(f.stub.requests(), 0);
}

void test_call_follows_the_helper_exit_status(void**) {
    PhoneFixture f;
    CallbackPrompter p([] { return std::string(); });
    f.stub.exit_with(1);  // not approved
    assert_int_equal(f.call("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 1);
    f.stub.exit_with(0);  // approved with #
    assert_int_equal(f.call("alice", true, p), 0);
    assert_int_equal(f.failures(), 0);
    assert_int_equal(f.stub.requests(), 2);
    assert_true(f.stub.outbox().find(std::string("channel: voice\nto: ") + kPhone + "\n") !=
                std::string::npos);
    assert_int_equal(p.asks, 0);
}

// A delivery helper killed by a signal has not approved anything.
void test_call_whose_helper_is_killed_is_refused_and_counted(void**) {
    PhoneFixture f;
    CallbackPrompter p([] { return std::string(); });
    f.stub.die_by_signal();
    assert_int_equal(f.call("alice", true, p), kBadCode);
    assert_int_equal(f.failures(), 1);
    assert_int_equal(f.stub.requests(), 1);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sms_sign_in_for_an_account_that_does_not_exist_is_refused),
        cmocka_unit_test(test_sms_sign_in_without_a_phone_or_gateway_is_refused_and_counted),
        cmocka_unit_test(test_sms_sign_in_takes_the_sent_code_and_counts_a_wrong_one),
        cmocka_unit_test(test_sms_that_cannot_be_sent_is_refused),
        cmocka_unit_test(test_call_for_an_account_that_does_not_exist_is_refused),
        cmocka_unit_test(test_call_without_a_phone_or_gateway_is_refused_and_counted),
        cmocka_unit_test(test_call_follows_the_helper_exit_status),
        cmocka_unit_test(test_call_whose_helper_is_killed_is_refused_and_counted),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
