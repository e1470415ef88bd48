// SPDX-License-Identifier: BSD-2-Clause
// Push as a second factor and at registration, inside the library: the
// login that waits for the phone, the refusals around it, and a
// registration that expires, is replaced, or loses to a method registered
// meanwhile.
#include "push_fixture.hpp"

namespace {

class Person : public chorus::Prompter {
public:
    std::function<void(const std::string&)> act = [](const std::string&) {};
    std::function<void(const std::string&)> on_info = [](const std::string&) {};
    bool hang_up = false;
    std::vector<std::string> errors;
    chorus::Status info(std::string_view t) override {
        on_info(std::string(t));
        return {};
    }
    chorus::Status error(std::string_view t) override {
        errors.emplace_back(t);
        return {};
    }
    chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool) override {
        if (hang_up) return chorus::make_error(chorus::Errc::conversation, "hung up");
        act(std::string(prompt));
        return chorus::SecretString("");
    }
};

// The two digits after "choose " (the number shown with a request).
std::string number_in(const std::string& text) {
    const std::size_t at = text.find("choose ");
    return at == std::string::npos ? std::string() : text.substr(at + 7, 2);
}

// The first open request's nonce in a poll reply. (No <regex>: GCC 12
// warns inside it under the sanitizers.)
std::string open_nonce(const std::string& body) {
    const std::string key = "\"nonce\": \"";
    const std::size_t at = body.find(key);
    return at == std::string::npos ? std::string() : body.substr(at + key.size(), 32);
}

void test_second_factor_paths(void**) {
    PushFixture f;
    f.register_phone();
    Person person;
    // The phone approves while the person is at the prompt.
    person.act = [&](const std::string& prompt) {
        chorus::PushTicket t;
        t.nonce = open_nonce(f.poll(f.app, kT0).body);
        f.answer(t, number_in(prompt));
    };
    chorus::VerifyOutcome out;
    assert_true(chorus::push_second_factor(f.ctx, "alice", person, out).ok());
    // The terminal closes at the prompt: the request is withdrawn.
    person.hang_up = true;
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "alice", person, out).code()),
                     static_cast<int>(chorus::Errc::conversation));
    assert_true(open_nonce(f.poll(f.app, kT0).body).empty());
    // Past the fatigue limit: refused with words, counted as a wrong code.
    person.hang_up = false;
    f.ctx.config.push.max_requests = 3;
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "alice", person, out).code()),
                     static_cast<int>(chorus::Errc::bad_code));
    assert_int_equal(person.errors.size(), 1);
    // No phone at all.
    f.enroll("bob");
    assert_int_equal(static_cast<int>(chorus::push_second_factor(f.ctx, "bob", person, out).code()),
                     static_cast<int>(chorus::Errc::bad_code));
}

void test_registration_edges(void**) {
    PushFixture f;
    Person person;
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::not_found));
    // The app never comes: expired.
    assert_true(chorus::push_enroll_begin(f.ctx, "alice").ok());
    f.clock->advance(601);
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::expired));
    // Another session starts its own registration while this one waits.
    assert_true(chorus::push_enroll_begin(f.ctx, "alice").ok());
    person.on_info = [&](const std::string&) { (void)chorus::push_enroll_begin(f.ctx, "alice"); };
    assert_int_equal(static_cast<int>(chorus::push_enroll_finish(f.ctx, "alice", person).code()),
                     static_cast<int>(chorus::Errc::conflict));
    // At a first login, a method registered meanwhile wins: nothing saved.
    std::string uri;
    person.on_info = [&](const std::string& t) {
        if (t.rfind("Or open this link on the phone: ", 0) == 0) uri = t.substr(32);
    };
    person.act = [&](const std::string& prompt) {
        if (prompt.find("shows the new token") != std::string::npos) {
            f.serial = query(uri, "serial");
            f.call("POST", {{"enrollment_credential", query(uri, "enrollment_credential")},
                            {"serial", f.serial},
                            {"fbtoken", "x"},
                            {"pubkey", f.app.spki_b64}});
            return;
        }
        chorus::PushTicket t;
        t.nonce = open_nonce(f.poll(f.app, f.ctx.now()).body);
        f.answer(t, number_in(prompt));
    };
    chorus::RegisterOptions ro;
    ro.offer_push = true;
    ro.only_if_unregistered = true;
    ro.show_qr = false;
    person.act = [act = person.act](const std::string& prompt) {
        if (prompt.find("Choose 1 or 2") == std::string::npos) act(prompt);
    };
    // "Enter" at the choice means the app; the push path is taken with "2".
    class Chooser : public Person {
    public:
        chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool echo) override {
            if (prompt.find("Choose 1 or 2") != std::string_view::npos) return chorus::SecretString("2");
            return Person::ask(prompt, echo);
        }
    } chooser;
    chooser.on_info = person.on_info;
    chooser.act = person.act;
    auto r = chorus::register_interactively(f.ctx, "alice", chooser, ro);
    assert_true(r.ok() && *r == chorus::RegisterResult::registered_meanwhile);
    auto rec = f.ctx.store->peek_record("alice");
    assert_true((*rec)->push_devices.empty());
    // The terminal closes at the test request: the registration fails.
    chooser.hang_up = true;
    assert_false(chorus::push_register(f.ctx, "alice", chooser, chorus::QrStyle::ascii, false).ok());
}

void test_missing_fields_and_last_method(void**) {
    PushFixture f;
    f.register_phone();
    assert_int_equal(f.call("POST", {{"pubkey", "x"}}).status, 400);
    assert_int_equal(f.call("POST", {{"new_fb_token", "x"}}).status, 400);
    assert_int_equal(f.call("POST", {{"signature", "x"}}).status, 400);
    // The phone as the only method stays; with nothing to remove, nothing is.
    auto txn = f.ctx.store->begin("alice");
    auto rec = (*txn)->record();
    chorus::UserRecord only = **rec;
    only.totp.reset();
    only.recovery.clear();
    only.default_method = "push";
    assert_true((*txn)->put_record(only).ok());
    txn->reset();
    assert_int_equal(static_cast<int>(chorus::remove_method(f.ctx, "alice", "push").code()),
                     static_cast<int>(chorus::Errc::permission));
    f.enroll("carol");
    assert_int_equal(static_cast<int>(chorus::remove_method(f.ctx, "carol", "push").code()),
                     static_cast<int>(chorus::Errc::not_found));
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_factor_paths),
        cmocka_unit_test(test_registration_edges),
        cmocka_unit_test(test_missing_fields_and_last_method),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
