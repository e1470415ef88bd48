// SPDX-License-Identifier: BSD-2-Clause
// The self-service reset flow: emailed code, throttling, attempts, binding
// to one session, the second factor, and no difference for unknown accounts.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "delivery_stub.hpp"
#include "flow_fixture.hpp"
#include "flows/contact_proof.hpp"
#include "flows/admin.hpp"
#include "flows/reset.hpp"
#include "flows/verify.hpp"

using chorus::Errc;
using chorus_test::FlowFixture;

namespace {

// Sets up a stub delivery helper that appends each request to DIR/mail.
struct ResetFixture : FlowFixture {
    std::string mail;
    ResetFixture() {
        mail = dir.file("mail");
        std::string helper = dir.file("deliver.sh");
        chorus_test::write_file(helper, "#!/bin/sh\n/bin/cat >> '" + mail + "'\necho >> '" + mail + "'\n",
                                0700);
        ctx.config.delivery.helper = helper;
        ctx.config.delivery.smtp_url = "smtp://127.0.0.1:2525";
        enroll("alice");
        // Proven (an admin vouches): codes go only to a proven address.
        if (!chorus::store_contact(ctx, "alice", chorus::ContactSlot::email, "alice@example.org", true).ok())
            abort();
    }
    // The newest code in the recorded mail (waits for the detached helper).
    std::string last_code(std::size_t expected_mails) {
        for (int i = 0; i < 200; ++i) {
            std::ifstream in(mail);
            std::stringstream ss;
            ss << in.rdbuf();
            std::string text = ss.str();
            std::size_t count = 0, pos = 0, last = std::string::npos;
            while ((pos = text.find("reset code is ", pos)) != std::string::npos) {
                last = pos;
                ++count;
                pos += 14;
            }
            if (count >= expected_mails) return text.substr(last + 14, 6);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return "";
    }
    std::size_t mails() {
        std::ifstream in(mail);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string t = ss.str();
        std::size_t n = 0;
        for (std::size_t p = 0; (p = t.find("channel: email", p)) != std::string::npos; ++p) ++n;
        return n;
    }
};

class ScriptedPrompter : public chorus::Prompter {
public:
    explicit ScriptedPrompter(std::string answer) : answer_(std::move(answer)) {}
    chorus::Status info(std::string_view) override { return {}; }
    chorus::Status error(std::string_view) override { return {}; }
    chorus::Result<chorus::SecretString> ask(std::string_view, bool) override {
        return chorus::SecretString(answer_);
    }

private:
    std::string answer_;
};

void test_full_reset_by_email_address(void**) {
    ResetFixture f;
    auto s = chorus::reset_start(f.ctx, "Alice@Example.org");
    assert_true(s.ok());
    std::int64_t wait = 0;
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    std::string code = f.last_code(1);
    assert_int_equal(code.size(), 6);
    assert_true(chorus::reset_methods(f.ctx, *s).empty());  // nothing revealed before the code
    assert_true(chorus::reset_check_code(f.ctx, *s, code).ok());
    auto methods = chorus::reset_methods(f.ctx, *s);
    assert_int_equal(methods.size(), 1);
    assert_string_equal(methods[0].c_str(), "app");
    // Lock the login first: a finished reset clears it.
    f.ctx.config.lockout.max_failures = 2;
    chorus::VerifyOutcome o;
    (void)chorus::verify_code(f.ctx, "alice", "000000", o);
    ScriptedPrompter app(f.code_now());
    assert_false(chorus::reset_finish(f.ctx, *s).ok());  // not before the second factor
    assert_true(chorus::reset_second_factor(f.ctx, *s, "app", app).ok());
    assert_true(chorus::reset_finish(f.ctx, *s).ok());
    assert_int_equal(chorus::user_status(f.ctx, "alice")->failures, 0);
}

void test_code_is_single_use_and_bound_to_its_session(void**) {
    ResetFixture f;
    auto a = chorus::reset_start(f.ctx, "alice");
    std::int64_t wait = 0;
    assert_true(chorus::reset_send_code(f.ctx, *a, wait).ok());
    std::string code = f.last_code(1);
    auto b = chorus::reset_start(f.ctx, "alice");  // another session
    assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *b, code).code()),
                     static_cast<int>(Errc::bad_code));
    assert_true(chorus::reset_check_code(f.ctx, *a, code).ok());
    assert_false(chorus::reset_check_code(f.ctx, *a, code).ok());
}

void test_resend_is_throttled_and_invalidates_the_old_code(void**) {
    ResetFixture f;
    auto s = chorus::reset_start(f.ctx, "alice");
    std::int64_t wait = 0;
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    std::string first = f.last_code(1);
    chorus::Status again = chorus::reset_send_code(f.ctx, *s, wait);
    assert_int_equal(static_cast<int>(again.code()), static_cast<int>(Errc::rate_limited));
    assert_true(wait > 0 && wait <= 30);
    f.clock->advance(31);
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    std::string second = f.last_code(2);
    if (first != second)
        assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, first).code()),
                         static_cast<int>(Errc::bad_code));
    assert_true(chorus::reset_check_code(f.ctx, *s, second).ok());
}

void test_hourly_cap_holds_across_sessions(void**) {
    ResetFixture f;
    std::int64_t wait = 0;
    for (int i = 0; i < 5; ++i) {
        auto s = chorus::reset_start(f.ctx, "alice");
        assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
        f.clock->advance(31);
    }
    assert_int_equal(f.last_code(5).size(), 6);
    // The sixth is not sent, but answered like a send: a refusal, which an
    // unknown name never gets, would mark "alice" as resettable.
    auto s = chorus::reset_start(f.ctx, "alice");
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    assert_int_equal(wait, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    assert_int_equal(f.mails(), 5);
}

void test_expired_code_is_refused(void**) {
    ResetFixture f;
    auto s = chorus::reset_start(f.ctx, "alice");
    std::int64_t wait = 0;
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    std::string code = f.last_code(1);
    f.clock->advance(301);
    assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, code).code()),
                     static_cast<int>(Errc::expired));
}

void test_wrong_codes_lock_the_reset(void**) {
    ResetFixture f;
    auto s = chorus::reset_start(f.ctx, "alice");
    std::int64_t wait = 0;
    assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
    std::string code = f.last_code(1);
    for (int i = 0; i < 4; ++i)
        assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, "999999").code()),
                         static_cast<int>(Errc::bad_code));
    assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, "999999").code()),
                     static_cast<int>(Errc::locked));
    assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, code).code()),
                     static_cast<int>(Errc::locked));
}

void test_unknown_and_unregistered_accounts_look_the_same_and_get_nothing(void**) {
    ResetFixture f;
    f.enroll("bob");  // registered, but no email: can't reset
    for (const char* who : {"nobody", "bob", "ghost@example.org"}) {
        auto s = chorus::reset_start(f.ctx, who);
        assert_true(s.ok());
        std::int64_t wait = 0;
        assert_true(chorus::reset_send_code(f.ctx, *s, wait).ok());
        assert_int_equal(static_cast<int>(chorus::reset_send_code(f.ctx, *s, wait).code()),
                         static_cast<int>(Errc::rate_limited));
        assert_int_equal(static_cast<int>(chorus::reset_check_code(f.ctx, *s, "123456").code()),
                         static_cast<int>(Errc::bad_code));
        assert_true(chorus::reset_methods(f.ctx, *s).empty());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    assert_int_equal(f.mails(), 0);
}

// A session for alice past the emailed code. The tests then send SMS and
// calls through a DeliveryStub, whose exit status they set.
chorus::ResetSession email_verified_session(ResetFixture& f) {
    auto s = chorus::reset_start(f.ctx, "alice");
    std::int64_t wait = 0;
    if (!s.ok() || !chorus::reset_send_code(f.ctx, *s, wait).ok()) abort();
    if (!chorus::reset_check_code(f.ctx, *s, f.last_code(1)).ok()) abort();
    return *s;
}

// The second factor comes after the emailed code: a session that has not
// proven it (or names no account) is refused before anything is asked.
void test_second_factor_before_the_emailed_code_is_refused(void**) {
    ResetFixture f;
    auto s = chorus::reset_start(f.ctx, "alice");
    assert_true(s.ok());
    chorus_test::CallbackPrompter p([&f] { return f.code_now(); });
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, *s, "app", p).code()),
                     static_cast<int>(Errc::permission));
    assert_int_equal(p.asks, 0);
    assert_false(s->second_verified);
    chorus::ResetSession nobody;
    nobody.email_verified = true;  // but no account
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, nobody, "app", p).code()),
                     static_cast<int>(Errc::permission));
}

void test_unregistered_reset_method_is_refused(void**) {
    ResetFixture f;
    auto s = email_verified_session(f);
    chorus_test::DeliveryStub stub(f.dir, f.ctx.config.delivery);
    chorus_test::CallbackPrompter p([] { return std::string("123456"); });
    // No phone, no SMS or voice gateway: only "app" is offered, nothing else is taken.
    for (const char* m : {"sms", "call", "email", "recovery", "", "APP"}) {
        assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, s, m, p).code()),
                         static_cast<int>(Errc::invalid_argument));
    }
    // A phone but no gateway for it: still not a method of this reset.
    assert_true(
        chorus::user_set_contact(f.ctx, "alice", std::string_view("+15551234567"), std::nullopt).ok());
    f.ctx.config.delivery.sms_url = "https://sms.example.org/send";
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, s, "call", p).code()),
                     static_cast<int>(Errc::invalid_argument));
    assert_int_equal(p.asks, 0);
    assert_int_equal(stub.requests(), 0);
    assert_false(s.second_verified);
    assert_int_equal(static_cast<int>(chorus::reset_finish(f.ctx, s).code()),
                     static_cast<int>(Errc::permission));
}

void test_reset_second_factor_by_sms_takes_the_sent_code_and_counts_a_wrong_one(void**) {
    ResetFixture f;
    auto s = email_verified_session(f);
    chorus_test::DeliveryStub stub(f.dir, f.ctx.config.delivery);
    f.ctx.config.delivery.sms_url = "https://sms.example.org/send";
    // A phone that was not proven is no reset method, and gets nothing.
    assert_true(
        chorus::user_set_contact(f.ctx, "alice", std::string_view("+15551234567"), std::nullopt).ok());
    auto methods = chorus::reset_methods(f.ctx, s);
    assert_true(std::find(methods.begin(), methods.end(), "sms") == methods.end());
    chorus_test::CallbackPrompter unused([] { return std::string("000000"); });
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, s, "sms", unused).code()),
                     static_cast<int>(Errc::invalid_argument));
    assert_int_equal(stub.requests(), 0);
    // Proven by a code sent to it and typed back, it is.
    chorus_test::CallbackPrompter prove([&] { return stub.last_code(); });
    assert_true(chorus::prove_and_store_contact(f.ctx, "alice", chorus::ContactSlot::phone, "+15551234567",
                                                chorus::ProofWay::sms, prove)
                    .ok());
    methods = chorus::reset_methods(f.ctx, s);
    assert_true(std::find(methods.begin(), methods.end(), "sms") != methods.end());

    chorus_test::CallbackPrompter wrong([&] { return chorus_test::other_code(stub.last_code()); });
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, s, "sms", wrong).code()),
                     static_cast<int>(Errc::bad_code));
    assert_int_equal(wrong.asks, 1);
    assert_false(s.second_verified);
    assert_int_equal(chorus::user_status(f.ctx, "alice")->failures, 1);  // counted like a wrong login code
    assert_int_equal(static_cast<int>(chorus::reset_finish(f.ctx, s).code()),
                     static_cast<int>(Errc::permission));

    chorus_test::CallbackPrompter right([&] { return stub.last_code(); });
    assert_true(chorus::reset_second_factor(f.ctx, s, "sms", right).ok());
    assert_int_equal(stub.requests(), 3);  // the proof, the wrong code, the right one
    assert_true(stub.outbox().find("channel: sms\nto: +15551234567\n") != std::string::npos);
    assert_true(s.second_verified);
    assert_true(chorus::reset_finish(f.ctx, s).ok());
}

// The alternate phone is a reset method of its own, once proven.
void test_reset_by_sms_to_the_alternate_phone(void**) {
    ResetFixture f;
    auto s = email_verified_session(f);
    chorus_test::DeliveryStub stub(f.dir, f.ctx.config.delivery);
    f.ctx.config.delivery.sms_url = "https://sms.example.org/send";
    assert_true(chorus::store_contact(f.ctx, "alice", chorus::ContactSlot::phone2, "+15557654321").ok());
    auto methods = chorus::reset_methods(f.ctx, s);
    assert_true(std::find(methods.begin(), methods.end(), "sms2") == methods.end());
    assert_true(
        chorus::store_contact(f.ctx, "alice", chorus::ContactSlot::phone2, "+15557654321", true).ok());
    methods = chorus::reset_methods(f.ctx, s);
    assert_true(std::find(methods.begin(), methods.end(), "sms2") != methods.end());
    assert_true(std::find(methods.begin(), methods.end(), "sms") == methods.end());  // no phone
    chorus_test::CallbackPrompter right([&] { return stub.last_code(); });
    assert_true(chorus::reset_second_factor(f.ctx, s, "sms2", right).ok());
    assert_true(stub.outbox().find("channel: sms\nto: +15557654321\n") != std::string::npos);
    assert_true(s.second_verified);
}

void test_reset_second_factor_by_call_follows_the_helper_exit_status(void**) {
    ResetFixture f;
    auto s = email_verified_session(f);
    chorus_test::DeliveryStub stub(f.dir, f.ctx.config.delivery);
    f.ctx.config.delivery.voice_url = "https://voice.example.org/call";
    chorus_test::CallbackPrompter p([] { return std::string(); });
    // A call answered with anything but # proves nothing; one answered with # does.
    stub.exit_with(1);
    assert_int_equal(
        static_cast<int>(chorus::prove_and_store_contact(f.ctx, "alice", chorus::ContactSlot::phone,
                                                         "+15551234567", chorus::ProofWay::call, p)
                             .code()),
        static_cast<int>(Errc::bad_code));
    assert_true(chorus::user_status(f.ctx, "alice")->phone.empty());
    stub.exit_with(0);
    assert_true(chorus::prove_and_store_contact(f.ctx, "alice", chorus::ContactSlot::phone, "+15551234567",
                                                chorus::ProofWay::call, p)
                    .ok());
    assert_true(chorus::user_status(f.ctx, "alice")->phone_proven);

    stub.exit_with(1);  // the callee did not press #
    assert_int_equal(static_cast<int>(chorus::reset_second_factor(f.ctx, s, "call", p).code()),
                     static_cast<int>(Errc::bad_code));
    assert_false(s.second_verified);
    assert_int_equal(chorus::user_status(f.ctx, "alice")->failures, 1);
    assert_int_equal(static_cast<int>(chorus::reset_finish(f.ctx, s).code()),
                     static_cast<int>(Errc::permission));

    stub.exit_with(0);  // approved
    assert_true(chorus::reset_second_factor(f.ctx, s, "call", p).ok());
    assert_int_equal(stub.requests(), 4);  // two proof calls, two reset calls
    assert_true(stub.outbox().find("channel: voice\nto: +15551234567\n") != std::string::npos);
    assert_true(chorus::reset_finish(f.ctx, s).ok());
    assert_int_equal(p.asks, 0);  // a call asks for nothing
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_reset_by_email_address),
        cmocka_unit_test(test_code_is_single_use_and_bound_to_its_session),
        cmocka_unit_test(test_resend_is_throttled_and_invalidates_the_old_code),
        cmocka_unit_test(test_hourly_cap_holds_across_sessions),
        cmocka_unit_test(test_expired_code_is_refused),
        cmocka_unit_test(test_wrong_codes_lock_the_reset),
        cmocka_unit_test(test_unknown_and_unregistered_accounts_look_the_same_and_get_nothing),
        cmocka_unit_test(test_second_factor_before_the_emailed_code_is_refused),
        cmocka_unit_test(test_unregistered_reset_method_is_refused),
        cmocka_unit_test(test_reset_second_factor_by_sms_takes_the_sent_code_and_counts_a_wrong_one),
        cmocka_unit_test(test_reset_second_factor_by_call_follows_the_helper_exit_status),
        cmocka_unit_test(test_reset_by_sms_to_the_alternate_phone),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
