// SPDX-License-Identifier: BSD-2-Clause
// Several authenticator apps per user (flows/apps): each app's code is
// accepted, each keeps its own replay state, names are checked, and removing
// apps never strands an account.
#include "flow_fixture.hpp"
#include "flows/admin.hpp"
#include "flows/apps.hpp"
#include "flows/methods.hpp"
#include "flows/verify.hpp"
#include "otp/base32.hpp"

using chorus::Errc;
using chorus_test::FlowFixture;

namespace {

constexpr const char* kKey2 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr const char* kKey3 = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA";

int code_of(const chorus::Status& st) {
    return static_cast<int>(st.code());
}

struct AppsFixture : FlowFixture {
    AppsFixture() { enroll("alice"); }

    // Adds an app with a known key; the confirmation code is left unspent
    // (none given), like chorusctl enroll.
    chorus::Status add(const char* key, std::string name) {
        chorus::EnrollRequest req;
        req.secret_base32 = key;
        auto e = chorus::enrollment_prepare(ctx, "alice", req);
        if (!e.ok()) abort();
        e->app_name = std::move(name);
        return chorus::enrollment_commit(ctx, *e, "", chorus::CommitMode::add);
    }

    std::string code_of_key(const char* key, std::int64_t t) const {
        auto bytes = chorus::base32_decode(key);
        if (!bytes.ok()) abort();
        auto c = chorus::hotp(chorus::HashAlgorithm::sha1, bytes->data(), bytes->size(),
                              chorus::totp_step(t, 30), 6);
        if (!c.ok()) abort();
        return std::string(c->view());
    }

    chorus::Status verify(const std::string& code) {
        chorus::VerifyOutcome outcome;
        return chorus::verify_code(ctx, "alice", code, outcome);
    }

    std::vector<std::string> names() {
        auto apps = chorus::list_apps(ctx, "alice");
        if (!apps.ok()) {
            fprintf(stderr, "list_apps: %s\n", apps.error().message.c_str());
            abort();
        }
        std::vector<std::string> out;
        for (const auto& a : *apps) out.push_back(a.name);
        return out;
    }
};

void test_every_app_is_accepted_with_its_own_replay_state(void**) {
    AppsFixture f;
    assert_true(f.add(kKey2, "work phone").ok());
    assert_true(f.add(kKey3, "").ok());
    assert_true((f.names() == std::vector<std::string>{"", "work phone", "app 3"}));
    const std::int64_t t = f.clock->now();
    // The same time step, three apps: each code opens once.
    assert_true(f.verify(f.code_now()).ok());
    assert_true(f.verify(f.code_of_key(kKey2, t)).ok());
    assert_true(f.verify(f.code_of_key(kKey3, t)).ok());
    for (const std::string& again : {f.code_now(), f.code_of_key(kKey2, t), f.code_of_key(kKey3, t)})
        assert_int_equal(code_of(f.verify(again)), static_cast<int>(Errc::replay));
    chorus::user_unlock(f.ctx, "alice").ignore();
    // The next step works for each again.
    f.clock->set(t + 30);
    assert_true(f.verify(f.code_of_key(kKey2, t + 30)).ok());
    assert_true(f.verify(f.code_now()).ok());
    // A code of no app is a failure.
    assert_int_equal(code_of(f.verify("000000")), static_cast<int>(Errc::bad_code));
}

// A further app's step is written with the record: it survives reopening.
void test_a_further_apps_step_is_stored(void**) {
    AppsFixture f;
    assert_true(f.add(kKey2, "tablet").ok());
    const std::string code = f.code_of_key(kKey2, f.clock->now());
    assert_true(f.verify(code).ok());
    auto store = chorus::open_store(f.ctx.config.store);
    assert_true(store.ok());
    f.ctx.store = std::move(store).value();
    assert_int_equal(code_of(f.verify(code)), static_cast<int>(Errc::replay));
}

void test_names_are_checked(void**) {
    AppsFixture f;
    assert_true(f.add(kKey2, "work phone").ok());
    for (const char* bad : {"work phone", " padded", "padded ", "tab\there", "12",
                            "a-name-that-is-far-too-long-for-anyone-to-read-on-a-small-phone-screen"})
        assert_int_equal(code_of(f.add(kKey3, bad)), static_cast<int>(Errc::invalid_argument));
    assert_int_equal(code_of(chorus::rename_app(f.ctx, "alice", "1", "work phone")),
                     static_cast<int>(Errc::invalid_argument));
    assert_true(chorus::rename_app(f.ctx, "alice", "1", "laptop").ok());
    assert_true(chorus::rename_app(f.ctx, "alice", "work phone", "old phone").ok());
    assert_true((f.names() == std::vector<std::string>{"laptop", "old phone"}));
    assert_int_equal(code_of(chorus::rename_app(f.ctx, "alice", "3", "x")),
                     static_cast<int>(Errc::not_found));
}

void test_at_most_eight_apps(void**) {
    AppsFixture f;
    for (int i = 2; i <= 8; ++i) assert_true(f.add(kKey2, "").ok());
    assert_int_equal(f.names().size(), 8);
    assert_int_equal(code_of(f.add(kKey3, "ninth")), static_cast<int>(Errc::invalid_argument));
}

// Removing the first app makes the next one first, with its replay state.
void test_removing_the_first_app_keeps_the_next_ones_state(void**) {
    AppsFixture f;
    assert_true(f.add(kKey2, "tablet").ok());
    const std::string code = f.code_of_key(kKey2, f.clock->now());
    assert_true(f.verify(code).ok());
    assert_true(chorus::remove_app(f.ctx, "alice", "1").ok());
    assert_true((f.names() == std::vector<std::string>{"tablet"}));
    assert_int_equal(code_of(f.verify(code)), static_cast<int>(Errc::replay));
    assert_int_equal(code_of(f.verify(f.code_now())), static_cast<int>(Errc::bad_code));  // the removed key
}

void test_the_last_method_is_never_removed(void**) {
    AppsFixture f;
    assert_int_equal(code_of(chorus::remove_app(f.ctx, "alice", "1")), static_cast<int>(Errc::permission));
    assert_true(f.add(kKey2, "tablet").ok());
    assert_true(chorus::remove_app(f.ctx, "alice", "tablet").ok());
    assert_int_equal(code_of(chorus::remove_app(f.ctx, "alice", "1")), static_cast<int>(Errc::permission));
    assert_int_equal(code_of(chorus::remove_app(f.ctx, "alice", "tablet")),
                     static_cast<int>(Errc::not_found));
    assert_true(chorus::user_status(f.ctx, "alice")->has_method);
}

// Replacing (an admin's enroll, chorus-enroll --app) leaves one app: a lost
// phone's key does not survive it. "--remove app" removes them all.
void test_replace_leaves_one_app_and_remove_app_removes_all(void**) {
    AppsFixture f;
    assert_true(f.add(kKey2, "lost phone").ok());
    f.enroll("alice");
    assert_int_equal(f.names().size(), 1);
    assert_int_equal(code_of(f.verify(f.code_of_key(kKey2, f.clock->now()))),
                     static_cast<int>(Errc::bad_code));
    assert_true(f.add(kKey2, "tablet").ok());
    assert_true(chorus::recovery_codes_renew(f.ctx, "alice").ok());
    assert_true(chorus::remove_method(f.ctx, "alice", "app").ok());
    assert_int_equal(f.names().size(), 0);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_app_is_accepted_with_its_own_replay_state),
        cmocka_unit_test(test_a_further_apps_step_is_stored),
        cmocka_unit_test(test_names_are_checked),
        cmocka_unit_test(test_at_most_eight_apps),
        cmocka_unit_test(test_removing_the_first_app_keeps_the_next_ones_state),
        cmocka_unit_test(test_the_last_method_is_never_removed),
        cmocka_unit_test(test_replace_leaves_one_app_and_remove_app_removes_all),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
