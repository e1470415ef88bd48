// SPDX-License-Identifier: BSD-2-Clause
// Running helpers from a caller we do not control (flows/helper_process), and
// both ends of the chorus-check protocol (flows/check_helper). Every way a
// child can fail to give a real answer must read as "no answer": a status
// that only a waitpid() naming the child can set, an answer line that must
// agree with the exit status and the request.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <thread>

#include "flow_fixture.hpp"
#include "flows/check_helper.hpp"
#include "flows/helper_process.hpp"

using chorus::CheckAnswer;
using chorus::CheckOp;
using chorus::CheckStatus;
using chorus::HelperCall;

namespace {

HelperCall shell(const std::string& script) {
    HelperCall c;
    c.path = "/bin/sh";
    c.args = {"-c", script};
    c.capture_output = true;
    c.timeout_ms = 20000;
    return c;
}

volatile sig_atomic_t g_reaped = 0;
void reap_everything(int) {
    const int saved = errno;
    while (waitpid(-1, nullptr, WNOHANG) > 0) g_reaped = g_reaped + 1;
    errno = saved;
}

// Sets SIGCHLD for one test and puts the default back afterwards.
struct SigchldAs {
    explicit SigchldAs(void (*h)(int), int flags = 0) {
        struct sigaction sa {};
        sa.sa_handler = h;
        sa.sa_flags = flags;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGCHLD, &sa, nullptr);
    }
    ~SigchldAs() { signal(SIGCHLD, SIG_DFL); }
    static void (*current())(int) {
        struct sigaction now {};
        sigaction(SIGCHLD, nullptr, &now);
        return now.sa_handler;
    }
};

void test_exit_status_and_output_are_reported(void**) {
    HelperCall c = shell("read line; echo \"got $line\"; exit 3");
    c.input = "hello\n";
    auto r = chorus::run_helper(c);
    assert_true(r.ok());
    assert_true(r->exited);
    assert_int_equal(r->exit_status, 3);
    assert_string_equal(r->output.c_str(), "got hello\n");
}

void test_ignored_sigchld_still_gives_the_real_exit(void**) {
    SigchldAs ignored(SIG_IGN);
    auto r = chorus::run_helper(shell("exit 4"));
    assert_true(r.ok());
    assert_true(r->exited);
    assert_int_equal(r->exit_status, 4);
    assert_true(SigchldAs::current() == SIG_IGN);  // the caller's disposition is back
}

void test_nocldwait_still_gives_the_real_exit(void**) {
    SigchldAs nocldwait(SIG_DFL, SA_NOCLDWAIT);
    auto r = chorus::run_helper(shell("exit 6"));
    assert_true(r.ok());
    assert_int_equal(r->exit_status, 6);
}

void test_a_reaping_handler_cannot_take_the_child(void**) {
    SigchldAs handler(reap_everything, SA_RESTART);
    for (int i = 0; i < 20; ++i) {
        auto r = chorus::run_helper(shell("exit 5"));
        assert_true(r.ok());
        assert_true(r->exited);
        assert_int_equal(r->exit_status, 5);
    }
    assert_true(SigchldAs::current() == reap_everything);
}

void test_a_killed_helper_has_not_exited(void**) {
    auto r = chorus::run_helper(shell("kill -KILL $$"));
    assert_true(r.ok());
    assert_false(r->exited);
    assert_int_equal(r->signal, SIGKILL);
    assert_int_equal(r->exit_status, -1);
}

// 127 from the child itself; under valgrind, which follows children into
// execve, the launcher's own failure status instead: never 0 either way.
void test_a_missing_program_does_not_exit_0(void**) {
    HelperCall c;
    c.path = "/nonexistent/chorus-helper";
    auto r = chorus::run_helper(c);
    assert_true(r.ok());
    assert_true(r->exited);
    assert_int_not_equal(r->exit_status, 0);
}

void test_the_default_outcome_is_not_an_exit(void**) {
    chorus::HelperExit e;
    assert_false(e.exited);
    assert_int_not_equal(e.exit_status, 0);
}

void test_a_helper_past_its_deadline_is_killed_and_reaped(void**) {
    HelperCall c = shell("sleep 30");
    c.timeout_ms = 200;
    auto r = chorus::run_helper(c);
    assert_false(r.ok());
    // Killed and reaped: no child of ours is left.
    errno = 0;
    assert_int_equal(waitpid(-1, nullptr, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

void test_a_helper_that_closes_stdout_but_runs_on_is_bounded(void**) {
    HelperCall c = shell("exec 1>&-; sleep 30");
    c.timeout_ms = 200;
    assert_false(chorus::run_helper(c).ok());
}

void test_too_much_output_is_an_error(void**) {
    HelperCall c = shell("while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done");
    c.max_output = 256;
    assert_false(chorus::run_helper(c).ok());
}

// The child gets stdin/stdout/stderr only (stderr on /dev/null), no blocked
// or ignored signals, and no environment, whatever the caller holds.
void test_the_child_starts_clean(void**) {
    const int leak = open("/dev/null", O_RDONLY);  // no FD_CLOEXEC: a careless caller
    assert_true(leak > 2);
    setenv("CHORUS_TEST_LEAK", "1", 1);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    signal(SIGTERM, SIG_IGN);
    auto r = chorus::run_helper(shell(
        "n=0; while [ $n -lt 1024 ]; do [ -e /proc/$$/fd/$n ] && echo \"fd $n\"; n=$((n + 1)); done;"
        "echo \"err $(readlink /proc/$$/fd/2)\";"
        "while read -r k v; do case $k in SigBlk:|SigIgn:) echo \"$k $v\";; esac; done < /proc/$$/status;"
        "echo \"env ${CHORUS_TEST_LEAK:-none}\""));
    signal(SIGTERM, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    unsetenv("CHORUS_TEST_LEAK");
    close(leak);
    assert_true(r.ok());
    const std::string& out = r->output;
    assert_true(out.find("fd 0\nfd 1\nfd 2\nerr /dev/null\n") == 0);
    assert_true(out.find("SigBlk: 0000000000000000\n") != std::string::npos);
    assert_true(out.find("SigIgn: 0000000000000000\n") != std::string::npos);
    assert_true(out.find("env none\n") != std::string::npos);
}

// ---- the chorus-check answer ------------------------------------------------

CheckAnswer decode(CheckOp op, int status, const char* line) {
    return chorus::decode_check_answer(op, status, line);
}

void test_default_answer_is_a_failure(void**) {
    CheckAnswer a;
    assert_int_equal(static_cast<int>(a.status), static_cast<int>(CheckStatus::failure));
}

void test_every_real_answer_round_trips(void**) {
    const struct {
        CheckOp op;
        CheckStatus st;
    } cases[] = {{CheckOp::probe, CheckStatus::ok},
                 {CheckOp::probe, CheckStatus::not_enrolled},
                 {CheckOp::account, CheckStatus::ok},
                 {CheckOp::account, CheckStatus::locked},
                 {CheckOp::account, CheckStatus::not_enrolled},
                 {CheckOp::verify, CheckStatus::ok},
                 {CheckOp::verify, CheckStatus::bad_code},
                 {CheckOp::verify, CheckStatus::replay},
                 {CheckOp::verify, CheckStatus::locked}};
    for (const auto& c : cases) {
        CheckAnswer a;
        a.status = c.st;
        a.lock_remaining = c.st == CheckStatus::locked ? 240 : 0;
        const std::string line = chorus::encode_check_answer(c.op, a);
        const CheckAnswer back = decode(c.op, static_cast<int>(c.st), line.c_str());
        assert_int_equal(static_cast<int>(back.status), static_cast<int>(c.st));
        assert_int_equal(back.lock_remaining, a.lock_remaining);
    }
}

void test_exit_zero_without_the_answer_is_a_failure(void**) {
    const CheckStatus f = CheckStatus::failure;
    auto is_failure = [f](const CheckAnswer& a) { return a.status == f; };
    assert_true(is_failure(decode(CheckOp::verify, 0, "")));                           // /bin/true
    assert_true(is_failure(decode(CheckOp::verify, 0, "garbage\n")));                  // garbage
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check probe ok 0\n")));  // another request
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check verify bad-code 0\n")));  // disagrees
    assert_true(is_failure(decode(CheckOp::verify, 1, "chorus-check verify ok 0\n")));        // disagrees
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check verify ok 0")));          // cut short
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check verify ok 0x\n")));
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check verify ok -1\n")));
    assert_true(is_failure(decode(CheckOp::verify, 0, "chorus-check verify ok 0\nextra\n")));
}

void test_a_status_the_request_cannot_have_is_a_failure(void**) {
    // not-enrolled to a verify would skip the code; locked to a probe is nonsense.
    assert_true(decode(CheckOp::verify, 4, "chorus-check verify not-enrolled 0\n").status ==
                CheckStatus::failure);
    assert_true(decode(CheckOp::probe, 3, "chorus-check probe locked 5\n").status == CheckStatus::failure);
    assert_true(decode(CheckOp::probe, 10, "chorus-check probe failure 0\n").status == CheckStatus::failure);
    assert_true(decode(CheckOp::probe, 7, "chorus-check probe ok 0\n").status == CheckStatus::failure);
    assert_true(decode(CheckOp::probe, -1, "chorus-check probe ok 0\n").status == CheckStatus::failure);
}

// ---- the helper's side, over a pipe --------------------------------------------

std::string serve(chorus_test::FlowFixture& f, const std::string& request, CheckStatus& status) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0) abort();
    if (write(in[1], request.data(), request.size()) != static_cast<ssize_t>(request.size())) abort();
    close(in[1]);
    status = chorus::serve_check_request(f.ctx, "alice", in[0], out[1]);
    close(in[0]);
    close(out[1]);
    char buf[256] = {0};
    const ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

void test_serve_answers_verify_probe_and_account(void**) {
    chorus_test::FlowFixture f;
    CheckStatus st = CheckStatus::failure;
    assert_string_equal(serve(f, "probe\n", st).c_str(), "chorus-check probe not-enrolled 0\n");
    assert_int_equal(static_cast<int>(st), static_cast<int>(CheckStatus::not_enrolled));
    f.enroll("alice");
    assert_string_equal(serve(f, "probe\n", st).c_str(), "chorus-check probe ok 0\n");
    assert_string_equal(serve(f, "verify\n000000\n", st).c_str(), "chorus-check verify bad-code 0\n");
    const std::string code = f.code_now();
    assert_string_equal(serve(f, "verify\n" + code + "\n", st).c_str(), "chorus-check verify ok 0\n");
    assert_int_equal(static_cast<int>(st), static_cast<int>(CheckStatus::ok));
    assert_string_equal(serve(f, "verify\n" + code + "\n", st).c_str(), "chorus-check verify replay 0\n");
    assert_string_equal(serve(f, "account\n", st).c_str(), "chorus-check account ok 0\n");
}

void test_serve_refuses_what_it_does_not_understand(void**) {
    chorus_test::FlowFixture f;
    f.enroll("alice");
    CheckStatus st = CheckStatus::ok;
    for (const char* bad : {"", "probe", "PROBE\n", "unlock\n", "probeprobeprobeprobe\n"}) {
        st = CheckStatus::ok;
        assert_string_equal(serve(f, bad, st).c_str(), "");
        assert_int_equal(static_cast<int>(st), static_cast<int>(CheckStatus::failure));
    }
    // A code line that never ends is a wrong code, counted like one.
    assert_string_equal(serve(f, "verify\n" + std::string(100, '1'), st).c_str(),
                        "chorus-check verify bad-code 0\n");
}

// Another thread of the caller waits for any child (a blocking waitpid(-1)
// loop) and takes the helper's exit status before run_helper() sees it. The
// answer must then be an error, or the real status 7: never an exit 0.
void test_a_thread_reaping_any_child_cannot_turn_the_exit_into_success(void**) {
    int taken_rounds = 0;
    for (int round = 0; round < 3; ++round) {
        std::atomic<bool> done{false};
        std::atomic<int> taken{0};
        std::atomic<int> taken_status{-1};
        std::thread reaper([&] {
            while (!done.load()) {
                int st = 0;
                const pid_t r = waitpid(-1, &st, 0);
                if (r > 0) {
                    taken_status = st;
                    taken = taken + 1;
                } else if (errno == ECHILD) {
                    usleep(100);  // no child yet (or any more)
                }
            }
        });
        HelperCall c = shell("sleep 0.3; exit 7");
        c.capture_output = false;  // straight to waiting: the reaper's blocking wait wins
        auto r = chorus::run_helper(c);
        done = true;
        reaper.join();
        if (r.ok()) {
            assert_true(r->exited);
            assert_int_equal(r->exit_status, 7);
            assert_int_equal(taken.load(), 0);  // a real status only when nobody else took it
        } else {
            assert_int_equal(taken.load(), 1);
            assert_true(WIFEXITED(taken_status.load()) && WEXITSTATUS(taken_status.load()) == 7);
            ++taken_rounds;
        }
    }
    assert_true(taken_rounds > 0);  // the race was really run, not only won by run_helper
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status_and_output_are_reported),
        cmocka_unit_test(test_ignored_sigchld_still_gives_the_real_exit),
        cmocka_unit_test(test_nocldwait_still_gives_the_real_exit),
        cmocka_unit_test(test_a_reaping_handler_cannot_take_the_child),
        cmocka_unit_test(test_a_killed_helper_has_not_exited),
        cmocka_unit_test(test_a_missing_program_does_not_exit_0),
        cmocka_unit_test(test_the_default_outcome_is_not_an_exit),
        cmocka_unit_test(test_a_helper_past_its_deadline_is_killed_and_reaped),
        cmocka_unit_test(test_a_helper_that_closes_stdout_but_runs_on_is_bounded),
        cmocka_unit_test(test_too_much_output_is_an_error),
        cmocka_unit_test(test_the_child_starts_clean),
        cmocka_unit_test(test_default_answer_is_a_failure),
        cmocka_unit_test(test_every_real_answer_round_trips),
        cmocka_unit_test(test_exit_zero_without_the_answer_is_a_failure),
        cmocka_unit_test(test_a_status_the_request_cannot_have_is_a_failure),
        cmocka_unit_test(test_serve_answers_verify_probe_and_account),
        cmocka_unit_test(test_serve_refuses_what_it_does_not_understand),
        cmocka_unit_test(test_a_thread_reaping_any_child_cannot_turn_the_exit_into_success),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
