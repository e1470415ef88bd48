// SPDX-License-Identifier: BSD-2-Clause
// The verify flow: replay, failure counting, lockout, recovery codes, unknown
// users, and deny when state cannot be saved.
#include "flow_fixture.hpp"
#include "flows/admin.hpp"
#include "flows/verify.hpp"

#include <fcntl.h>
#include <sys/wait.h>

using chorus::Errc;
using chorus_test::FlowFixture;

namespace {

chorus::Status verify(FlowFixture& f, const std::string& user, const std::string& code,
                      chorus::VerifyOutcome* out = nullptr) {
    chorus::VerifyOutcome o;
    chorus::Status st = chorus::verify_code(f.ctx, user, code, o);
    if (out != nullptr) *out = o;
    return st;
}

void test_correct_code_is_accepted(void**) {
    FlowFixture f;
    f.enroll("alice");
    chorus::VerifyOutcome o;
    chorus::Status st = verify(f, "alice", f.code_now(), &o);
    assert_true(st.ok());
    assert_int_equal(static_cast<int>(o.method), static_cast<int>(chorus::CodeMethod::totp));
}

void test_replayed_code_is_refused(void**) {
    FlowFixture f;
    f.enroll("alice");
    std::string code = f.code_now();
    assert_true(verify(f, "alice", code).ok());
    chorus::Status again = verify(f, "alice", code);
    assert_false(again.ok());
    assert_int_equal(static_cast<int>(again.code()), static_cast<int>(Errc::replay));
}

void test_older_step_after_newer_is_refused(void**) {
    FlowFixture f;
    f.enroll("alice");
    std::string old_code = f.code_at(chorus_test::kT0 - 30);  // previous step: inside the window
    assert_true(verify(f, "alice", f.code_now()).ok());
    assert_int_equal(static_cast<int>(verify(f, "alice", old_code).code()), static_cast<int>(Errc::replay));
}

void test_code_outside_window_is_wrong(void**) {
    FlowFixture f;
    f.enroll("alice");
    std::string far = f.code_at(chorus_test::kT0 - 90);  // three steps back, window is 1
    assert_int_equal(static_cast<int>(verify(f, "alice", far).code()), static_cast<int>(Errc::bad_code));
    std::string next = f.code_at(chorus_test::kT0 + 30);  // one step ahead: allowed
    assert_true(verify(f, "alice", next).ok());
}

void test_malformed_codes_are_wrong_codes(void**) {
    FlowFixture f;
    f.ctx.config.lockout.max_failures = 100;  // six wrong inputs must not lock here
    f.enroll("alice");
    const std::string inputs[] = {"", "12345", "1234567", "abcdef", std::string(10000, '7'), "12 34 56x"};
    for (const auto& in : inputs)
        assert_int_equal(static_cast<int>(verify(f, "alice", in).code()), static_cast<int>(Errc::bad_code));
}

void test_failures_lock_the_user_and_unlock_clears(void**) {
    FlowFixture f;
    f.enroll("alice");
    for (int i = 0; i < 4; ++i)
        assert_int_equal(static_cast<int>(verify(f, "alice", "000000").code()),
                         static_cast<int>(Errc::bad_code));
    chorus::VerifyOutcome o;
    assert_int_equal(static_cast<int>(verify(f, "alice", "000000", &o).code()),
                     static_cast<int>(Errc::locked));
    assert_int_equal(o.lock_remaining, 900);
    // Even the right code is refused while locked, and costs no new step.
    assert_int_equal(static_cast<int>(verify(f, "alice", f.code_now(), &o).code()),
                     static_cast<int>(Errc::locked));
    auto st = chorus::user_status(f.ctx, "alice");
    assert_true(st.ok());
    assert_true(st->lock_remaining > 0);
    assert_true(chorus::user_unlock(f.ctx, "alice").ok());
    assert_true(verify(f, "alice", f.code_now()).ok());
}

void test_lockout_expires_by_itself(void**) {
    FlowFixture f;
    f.enroll("alice");
    for (int i = 0; i < 5; ++i) (void)verify(f, "alice", "000000");
    f.clock->advance(901);
    assert_true(verify(f, "alice", f.code_now()).ok());
}

// A lockout written while the clock ran a year ahead (a bad NTP step) must
// not keep the user out for a year once the clock is right again.
void test_lockout_dated_by_a_wrong_clock_does_not_outlast_its_length(void**) {
    FlowFixture f;
    f.enroll("alice");
    const std::int64_t year = 365LL * 86400;
    f.clock->advance(year);
    for (int i = 0; i < 5; ++i) (void)verify(f, "alice", "000000");
    chorus::VerifyOutcome o;
    assert_int_equal(static_cast<int>(verify(f, "alice", "000000", &o).code()),
                     static_cast<int>(Errc::locked));
    f.clock->advance(-year);
    auto st = chorus::user_status(f.ctx, "alice");
    assert_true(st.ok());
    assert_int_equal(st->lock_remaining, 0);  // what the admin sees agrees with the login
    assert_true(verify(f, "alice", f.code_now()).ok());
}

// A clock a few seconds off (fleet hosts round the database clock per
// connection) must not end a lock early.
void test_lockout_survives_small_clock_differences(void**) {
    FlowFixture f;
    f.enroll("alice");
    f.clock->advance(60);
    for (int i = 0; i < 5; ++i) (void)verify(f, "alice", "000000");
    f.clock->advance(-60);
    chorus::VerifyOutcome o;
    assert_int_equal(static_cast<int>(verify(f, "alice", f.code_now(), &o).code()),
                     static_cast<int>(Errc::locked));
    assert_int_equal(o.lock_remaining, 960);
}

// The same for a failure streak that started "in the future": it restarts,
// instead of never leaving its window.
void test_failure_streak_dated_in_the_future_restarts(void**) {
    FlowFixture f;
    f.enroll("alice");
    f.clock->advance(86400);
    for (int i = 0; i < 4; ++i) (void)verify(f, "alice", "000000");
    f.clock->advance(-86400);
    assert_int_equal(static_cast<int>(verify(f, "alice", "000000").code()), static_cast<int>(Errc::bad_code));
    auto st = chorus::user_status(f.ctx, "alice");
    assert_true(st.ok());
    assert_int_equal(st->failures, 1);
}

// Registration at first login shows the key and waits for a code without
// holding the lock; a key the owner registered meanwhile must survive it.
void test_first_login_registration_never_replaces_a_key_registered_meanwhile(void**) {
    FlowFixture f;
    auto pending = chorus::enrollment_prepare(f.ctx, "alice", chorus::EnrollRequest{});
    assert_true(pending.ok());
    f.enroll("alice");  // the owner, in another session
    chorus::Status st =
        chorus::enrollment_commit(f.ctx, *pending, "", chorus::CommitMode::only_if_unregistered);
    assert_int_equal(static_cast<int>(st.code()), static_cast<int>(Errc::permission));
    assert_true(verify(f, "alice", f.code_now()).ok());  // the owner's key is still the one
    // An admin's (or re-authenticated) change does replace it.
    assert_true(chorus::enrollment_commit(f.ctx, *pending, "").ok());
    f.clock->advance(30);
    assert_int_equal(static_cast<int>(verify(f, "alice", f.code_now()).code()),
                     static_cast<int>(Errc::bad_code));
}

void test_success_resets_failure_count(void**) {
    FlowFixture f;
    f.enroll("alice");
    for (int i = 0; i < 4; ++i) (void)verify(f, "alice", "000000");
    assert_true(verify(f, "alice", f.code_now()).ok());
    auto st = chorus::user_status(f.ctx, "alice");
    assert_int_equal(st->failures, 0);
}

void test_recovery_code_works_once(void**) {
    FlowFixture f;
    f.enroll("alice");
    auto codes = chorus::recovery_codes_renew(f.ctx, "alice");
    assert_true(codes.ok());
    assert_int_equal(codes->size(), 10);
    std::string code((*codes)[3].view());
    chorus::VerifyOutcome o;
    assert_true(verify(f, "alice", code, &o).ok());
    assert_int_equal(static_cast<int>(o.method), static_cast<int>(chorus::CodeMethod::recovery));
    assert_int_equal(static_cast<int>(verify(f, "alice", code).code()), static_cast<int>(Errc::bad_code));
    // Lowercase without dashes is the same code.
    std::string other((*codes)[4].view());
    std::string relaxed;
    for (char c : other)
        if (c != '-') relaxed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    assert_true(verify(f, "alice", relaxed).ok());
    assert_int_equal(chorus::user_status(f.ctx, "alice")->recovery_left, 8);
}

void test_unknown_user_gets_bad_code_and_no_state(void**) {
    FlowFixture f;
    assert_int_equal(static_cast<int>(verify(f, "nobody-here", "123456").code()),
                     static_cast<int>(Errc::bad_code));
    auto users = f.ctx.store->list_users();
    assert_true(users.ok());
    assert_int_equal(users->size(), 0);
}

void test_unknown_user_pays_the_write_a_real_failure_pays(void**) {
    FlowFixture f;
    std::string timing = f.ctx.config.store.path + "/.timing";
    assert_int_not_equal(access(timing.c_str(), F_OK), 0);
    (void)verify(f, "nobody-here", "123456");
    struct stat st {};
    assert_int_equal(stat(timing.c_str(), &st), 0);
    assert_int_equal(st.st_size, 512);
    assert_int_equal(st.st_mode & 0777, 0600);
}

void test_hostile_user_name_is_a_wrong_code(void**) {
    FlowFixture f;
    const char* names[] = {"../etc/shadow", "a/b", "-rf", "bad\nname", ""};
    for (const char* n : names)
        assert_int_equal(static_cast<int>(verify(f, n, "123456").code()), static_cast<int>(Errc::bad_code));
}

void test_unsaveable_state_denies_a_correct_code(void**) {
    FlowFixture f;
    f.enroll("alice");
    // The live record replaced by a directory: the store can't save the step.
    std::string live = f.ctx.config.store.path + "/alice.live";
    unlink(live.c_str());
    assert_int_equal(mkdir(live.c_str(), 0700), 0);
    chorus::Status st = verify(f, "alice", f.code_now());
    assert_false(st.ok());
    assert_true(st.code() == Errc::unsafe_file || st.code() == Errc::io);
}

void test_parallel_logins_with_one_code_succeed_once(void**) {
    FlowFixture f;
    f.enroll("alice");
    std::string code = f.code_now();
    constexpr int kProcs = 20;
    pid_t pids[kProcs];
    for (int i = 0; i < kProcs; ++i) {
        pids[i] = fork();
        if (pids[i] == 0) {
            chorus::VerifyOutcome o;
            chorus::Status st = chorus::verify_code(f.ctx, "alice", code, o);
            _exit(st.ok() ? 0 : 1);
        }
    }
    int successes = 0;
    for (pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) ++successes;
    }
    assert_int_equal(successes, 1);
}

void test_enrollment_confirmation_code_cannot_open_a_login(void**) {
    FlowFixture f;
    chorus::EnrollRequest req;
    auto e = chorus::enrollment_prepare(f.ctx, "bob", req);
    assert_true(e.ok());
    auto step = chorus::totp_step(f.clock->now(), 30);
    auto code =
        chorus::hotp(chorus::HashAlgorithm::sha1, e->key.secret.data(), e->key.secret.size(), step, 6);
    assert_true(chorus::enrollment_commit(f.ctx, *e, code->view()).ok());
    assert_int_equal(static_cast<int>(verify(f, "bob", std::string(code->view())).code()),
                     static_cast<int>(Errc::replay));
}

void test_enrollment_with_wrong_code_saves_nothing(void**) {
    FlowFixture f;
    auto e = chorus::enrollment_prepare(f.ctx, "bob", chorus::EnrollRequest{});
    assert_true(e.ok());
    chorus::Status st = chorus::enrollment_commit(f.ctx, *e, "000000");
    assert_int_equal(static_cast<int>(st.code()), static_cast<int>(Errc::bad_code));
    assert_int_equal(static_cast<int>(chorus::user_status(f.ctx, "bob").code()),
                     static_cast<int>(Errc::not_found));
}

void test_unenroll_removes_methods(void**) {
    FlowFixture f;
    f.enroll("alice");
    assert_true(chorus::user_unenroll(f.ctx, "alice", true).ok());
    assert_int_equal(static_cast<int>(verify(f, "alice", f.code_now()).code()),
                     static_cast<int>(Errc::bad_code));
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_code_is_accepted),
        cmocka_unit_test(test_replayed_code_is_refused),
        cmocka_unit_test(test_older_step_after_newer_is_refused),
        cmocka_unit_test(test_code_outside_window_is_wrong),
        cmocka_unit_test(test_malformed_codes_are_wrong_codes),
        cmocka_unit_test(test_failures_lock_the_user_and_unlock_clears),
        cmocka_unit_test(test_lockout_expires_by_itself),
        cmocka_unit_test(test_lockout_dated_by_a_wrong_clock_does_not_outlast_its_length),
        cmocka_unit_test(test_failure_streak_dated_in_the_future_restarts),
        cmocka_unit_test(test_lockout_survives_small_clock_differences),
        cmocka_unit_test(test_first_login_registration_never_replaces_a_key_registered_meanwhile),
        cmocka_unit_test(test_success_resets_failure_count),
        cmocka_unit_test(test_recovery_code_works_once),
        cmocka_unit_test(test_unknown_user_gets_bad_code_and_no_state),
        cmocka_unit_test(test_unknown_user_pays_the_write_a_real_failure_pays),
        cmocka_unit_test(test_hostile_user_name_is_a_wrong_code),
        cmocka_unit_test(test_unsaveable_state_denies_a_correct_code),
        cmocka_unit_test(test_parallel_logins_with_one_code_succeed_once),
        cmocka_unit_test(test_enrollment_confirmation_code_cannot_open_a_login),
        cmocka_unit_test(test_enrollment_with_wrong_code_saves_nothing),
        cmocka_unit_test(test_unenroll_removes_methods),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
