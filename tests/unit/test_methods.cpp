// SPDX-License-Identifier: BSD-2-Clause
// Managing registered methods (flows/methods): proving a contact address with
// a sent code, removing methods without stranding the account, and the
// default method's allowed names.
#include <chorus/chorus.h>

#include "delivery_stub.hpp"
#include "flow_fixture.hpp"
#include "flows/contact_proof.hpp"
#include "flows/admin.hpp"
#include "flows/methods.hpp"

using chorus::Errc;
using chorus_test::CallbackPrompter;
using chorus_test::DeliveryStub;
using chorus_test::FlowFixture;

namespace {

constexpr const char* kPhone = "+15551234567";

// Both contact channels configured, requests going to a stub.
struct ContactFixture : FlowFixture {
    DeliveryStub stub{dir, ctx.config.delivery};
    ContactFixture() {
        ctx.config.delivery.sms_url = "https://sms.example.org/send";
        ctx.config.delivery.smtp_url = "smtp://127.0.0.1:2525";
    }
};

int code_of(const chorus::Status& st) {
    return static_cast<int>(st.code());
}

// ---- proving a contact: parse_proof_way + prove_reachable ---------------------

// What the C API does with a channel name (chorus_user_prove_contact's `how`).
chorus::Status verify_contact(chorus::Context& ctx, const char* channel, std::string_view to,
                              chorus::Prompter& p) {
    const auto how = chorus::parse_proof_way(channel);
    if (!how) return chorus::make_error(Errc::invalid_argument, "not a way to prove a contact");
    return chorus::prove_reachable(ctx, *how, to, "alice", p);
}

void test_verify_contact_refuses_a_channel_other_than_sms_call_or_email(void**) {
    ContactFixture f;
    f.ctx.config.delivery.voice_url = "https://voice.example.org/call";
    CallbackPrompter p([] { return std::string("123456"); });
    for (const char* ch : {"voice", "Call", "SMS", "Email", "", "sms "})
        assert_int_equal(code_of(verify_contact(f.ctx, ch, kPhone, p)),
                         static_cast<int>(Errc::invalid_argument));
    assert_int_equal(p.asks, 0);
    assert_int_equal(f.stub.requests(), 0);
}

void test_verify_contact_refuses_a_channel_that_is_not_configured(void**) {
    ContactFixture f;
    f.ctx.config.delivery.sms_url.clear();
    f.ctx.config.delivery.smtp_url.clear();
    CallbackPrompter p([] { return std::string("123456"); });
    assert_int_equal(code_of(verify_contact(f.ctx, "sms", kPhone, p)), static_cast<int>(Errc::unsupported));
    assert_int_equal(code_of(verify_contact(f.ctx, "email", "a@example.org", p)),
                     static_cast<int>(Errc::unsupported));
    assert_int_equal(p.asks, 0);
    assert_int_equal(f.stub.requests(), 0);
}

void test_verify_contact_accepts_the_code_that_was_sent(void**) {
    ContactFixture f;
    CallbackPrompter p([&] { return f.stub.last_code(); });
    assert_true(verify_contact(f.ctx, "sms", kPhone, p).ok());
    assert_true(f.stub.outbox().find(std::string("channel: sms\nto: ") + kPhone + "\n") != std::string::npos);
    assert_true(verify_contact(f.ctx, "email", "alice@example.org", p).ok());
    assert_true(f.stub.outbox().find("channel: email\nto: alice@example.org\n") != std::string::npos);
    assert_int_equal(p.asks, 2);
    assert_true(p.errors.empty());
}

void test_verify_contact_gives_up_after_three_wrong_codes(void**) {
    ContactFixture f;
    CallbackPrompter wrong([&] { return chorus_test::other_code(f.stub.last_code()); });
    assert_int_equal(code_of(verify_contact(f.ctx, "sms", kPhone, wrong)), static_cast<int>(Errc::bad_code));
    assert_int_equal(wrong.asks, 3);
    assert_int_equal(wrong.errors.size(), 3);
    assert_int_equal(f.stub.requests(), 1);  // one code for the three tries, not a new one each time
    // The third try still counts: two wrong codes and then the right one pass.
    int n = 0;
    CallbackPrompter late(
        [&] { return ++n < 3 ? chorus_test::other_code(f.stub.last_code()) : f.stub.last_code(); });
    assert_true(verify_contact(f.ctx, "email", "alice@example.org", late).ok());
    assert_int_equal(late.asks, 3);
}

void test_verify_contact_fails_when_the_code_cannot_be_sent(void**) {
    ContactFixture f;
    f.stub.exit_with(1);
    CallbackPrompter p([] { return std::string("123456"); });
    chorus::Status st = verify_contact(f.ctx, "sms", kPhone, p);
    assert_false(st.ok());
    assert_int_equal(code_of(st), static_cast<int>(Errc::io));
    assert_int_equal(p.asks, 0);  // nothing to type: nothing was sent
    f.ctx.config.delivery.helper = f.dir.file("no-such-helper");
    assert_int_equal(code_of(verify_contact(f.ctx, "email", "alice@example.org", p)),
                     static_cast<int>(Errc::io));
    assert_int_equal(p.asks, 0);
}

// ---- remove_method / set_default_method ----------------------------------------

// alice: the app, ten recovery codes, a phone and an email.
struct MethodsFixture : FlowFixture {
    MethodsFixture() {
        enroll("alice");
        if (!chorus::recovery_codes_renew(ctx, "alice").ok()) abort();
        // Proven (an admin vouches): sms and call need a proven phone.
        if (!chorus::store_contact(ctx, "alice", chorus::ContactSlot::phone, kPhone, true).ok() ||
            !chorus::store_contact(ctx, "alice", chorus::ContactSlot::email, "alice@example.org", true).ok())
            abort();
    }
    chorus::UserStatus status() {
        auto s = chorus::user_status(ctx, "alice");
        if (!s.ok()) abort();
        return *s;
    }
};

void test_removing_recovery_codes_keeps_the_app(void**) {
    MethodsFixture f;
    assert_int_equal(f.status().recovery_left, 10);
    assert_true(chorus::remove_method(f.ctx, "alice", "recovery").ok());
    auto s = f.status();
    assert_int_equal(s.recovery_left, 0);
    assert_true(s.has_totp);
    // Now the app is the only method, and stays.
    assert_int_equal(code_of(chorus::remove_method(f.ctx, "alice", "app")),
                     static_cast<int>(Errc::permission));
    assert_true(f.status().has_totp);
}

void test_recovery_codes_that_are_the_only_method_are_kept(void**) {
    MethodsFixture f;
    assert_true(chorus::remove_method(f.ctx, "alice", "app").ok());
    assert_false(f.status().has_totp);
    assert_int_equal(code_of(chorus::remove_method(f.ctx, "alice", "recovery")),
                     static_cast<int>(Errc::permission));
    assert_int_equal(f.status().recovery_left, 10);
}

void test_removing_the_email_leaves_the_other_methods(void**) {
    MethodsFixture f;
    assert_true(chorus::remove_method(f.ctx, "alice", "email").ok());
    auto s = f.status();
    assert_true(s.email.empty());
    assert_string_equal(s.phone.c_str(), kPhone);
    assert_true(s.has_totp);
    assert_int_equal(s.recovery_left, 10);
}

void test_unknown_method_name_is_refused_and_changes_nothing(void**) {
    MethodsFixture f;
    for (const char* m : {"sms", "call", "APP", "Email", "", "recovery ", "totp"})
        assert_int_equal(code_of(chorus::remove_method(f.ctx, "alice", m)),
                         static_cast<int>(Errc::invalid_argument));
    auto s = f.status();
    assert_true(s.has_totp);
    assert_int_equal(s.recovery_left, 10);
    assert_string_equal(s.phone.c_str(), kPhone);
    assert_string_equal(s.email.c_str(), "alice@example.org");
    assert_int_equal(code_of(chorus::remove_method(f.ctx, "nobody", "email")),
                     static_cast<int>(Errc::not_found));
}

void test_set_default_method_refuses_an_invalid_name(void**) {
    MethodsFixture f;
    const std::string before = f.status().default_method;
    for (const char* m : {"email", "recovery", "phone", "SMS", "", "sms\n", "admin"})
        assert_int_equal(code_of(chorus::set_default_method(f.ctx, "alice", m)),
                         static_cast<int>(Errc::invalid_argument));
    assert_string_equal(f.status().default_method.c_str(), before.c_str());
    assert_true(chorus::set_default_method(f.ctx, "alice", "call").ok());
    assert_string_equal(f.status().default_method.c_str(), "call");
}

// The C API's name checks read the library's one table: every name it
// knows, nothing else ("voice" is a channel, "phone" is registered, not a
// method one chooses).
void test_name_checks_follow_the_library_table(void**) {
    for (const char* m : {"app", "sms", "call"}) assert_int_equal(chorus_method_name_valid(m), 1);
    for (const char* m : {"voice", "phone", "recovery", "", "APP", "sms "})
        assert_int_equal(chorus_method_name_valid(m), 0);
    assert_int_equal(chorus_method_name_valid(nullptr), 0);
    for (const char* r : {"app", "phone", "email", "recovery"})
        assert_int_equal(chorus_registration_name_valid(r), 1);
    for (const char* r : {"sms", "call", "codes", ""}) assert_int_equal(chorus_registration_name_valid(r), 0);
    assert_int_equal(chorus_registration_name_valid(nullptr), 0);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_contact_refuses_a_channel_other_than_sms_call_or_email),
        cmocka_unit_test(test_verify_contact_refuses_a_channel_that_is_not_configured),
        cmocka_unit_test(test_verify_contact_accepts_the_code_that_was_sent),
        cmocka_unit_test(test_verify_contact_gives_up_after_three_wrong_codes),
        cmocka_unit_test(test_verify_contact_fails_when_the_code_cannot_be_sent),
        cmocka_unit_test(test_removing_recovery_codes_keeps_the_app),
        cmocka_unit_test(test_recovery_codes_that_are_the_only_method_are_kept),
        cmocka_unit_test(test_removing_the_email_leaves_the_other_methods),
        cmocka_unit_test(test_unknown_method_name_is_refused_and_changes_nothing),
        cmocka_unit_test(test_set_default_method_refuses_an_invalid_name),
        cmocka_unit_test(test_name_checks_follow_the_library_table),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
