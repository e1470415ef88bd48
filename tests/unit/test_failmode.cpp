// SPDX-License-Identifier: BSD-2-Clause
// Logins while the state store is unreachable: denied unless failmode lets
// in a listed group or the console, or a host-local break-glass code is
// proven; any other store failure is never admitted. The "fleet store" here
// is a Store whose every call fails as a database outage does.
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "flow_fixture.hpp"
#include "flows/failmode.hpp"
#include "flows/login.hpp"

using chorus::Errc;
using chorus::LoginResult;

namespace {

class DownStore final : public chorus::Store {
public:
    explicit DownStore(Errc code) : code_(code) {}
    chorus::Result<std::unique_ptr<chorus::UserTxn>> begin(std::string_view) override { return down(); }
    chorus::Result<std::vector<std::string>> list_users() override { return down(); }

private:
    chorus::Error down() const {
        return chorus::make_error(code_, "postgresql store: cannot connect (test)");
    }
    Errc code_;
};

class Answers : public chorus::Prompter {
public:
    explicit Answers(std::vector<std::string> a) : answers_(std::move(a)) {}
    chorus::Status info(std::string_view t) override { return shown(t); }
    chorus::Status error(std::string_view t) override { return shown(t); }
    chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool) override {
        prompts.emplace_back(prompt);
        if (answers_.empty()) return chorus::make_error(Errc::permission, "no answer");
        std::string a = answers_.front();
        answers_.erase(answers_.begin());
        return chorus::SecretString(a);
    }
    std::vector<std::string> prompts;
    std::string text;

private:
    chorus::Status shown(std::string_view t) {
        text += std::string(t) + "\n";
        return {};
    }
    std::vector<std::string> answers_;
};

// An account that exists on every Debian system, and its primary group.
const char kUser[] = "nobody";
std::string group_of_nobody() {
    const passwd* pw = getpwnam(kUser);
    const group* gr = pw != nullptr ? getgrgid(pw->pw_gid) : nullptr;
    if (gr == nullptr) abort();
    return gr->gr_name;
}

struct Outage : chorus_test::FlowFixture {
    explicit Outage(Errc code = Errc::unavailable) {
        ctx.config.failmode.break_glass_path = dir.file("break-glass");
        ctx.store = std::make_unique<DownStore>(code);
    }
    // One login of kUser typing answers; its prompter stays in `last`.
    chorus::Result<LoginResult> login(std::vector<std::string> answers) {
        last = std::make_unique<Answers>(std::move(answers));
        return chorus::login_authenticate(ctx, kUser, *last, std::nullopt);
    }
    std::unique_ptr<Answers> last;
};

int code_of(const chorus::Result<LoginResult>& r) {
    return r.ok() ? -1 : static_cast<int>(r.code());
}

void test_default_denies_everyone(void**) {
    Outage o;
    o.ctx.config.failmode.break_glass_path.clear();
    assert_int_equal(code_of(o.login({"123456"})), static_cast<int>(Errc::unavailable));
    Answers* a = o.last.get();
    assert_int_equal(a->prompts.size(), 1);  // asked like anyone, then told
    assert_true(a->text.find("unavailable") != std::string::npos);
    assert_int_equal(static_cast<int>(chorus::login_account(o.ctx, kUser, *a, {}).code()),
                     static_cast<int>(Errc::unavailable));
}

void test_listed_group_is_let_in_without_a_code(void**) {
    Outage o;
    o.ctx.config.failmode.allow_groups = {"no-such-group-x", group_of_nobody()};
    auto r = o.login({});
    Answers* a = o.last.get();
    assert_true(r.ok());
    assert_int_equal(static_cast<int>(*r), static_cast<int>(LoginResult::failmode));
    assert_true(a->prompts.empty());
    assert_true(chorus::login_account(o.ctx, kUser, *a, {}).ok());
    o.ctx.config.failmode.allow_groups = {"no-such-group-x"};
    assert_int_equal(code_of(o.login({"123456"})), static_cast<int>(Errc::unavailable));
}

void test_console_means_a_console_tty_and_no_remote_host(void**) {
    Outage o;
    o.ctx.config.failmode.allow_console = true;
    struct Case {
        const char* tty;
        const char* rhost;
        bool admitted;
    } cases[] = {{"tty1", "", true},        {"/dev/tty2", "", true},
                 {"console", "", true},     {"ttyS0", "", false},
                 {"/dev/pts/0", "", false}, {"pts/1", "", false},
                 {"ssh", "", false},        {"tty1", "10.0.0.5", false},
                 {"", "", false},           {"/dev/../tty1", "", false},
                 {":0", "", false}};
    for (const Case& c : cases) {
        o.ctx.origin = {c.tty, c.rhost, ""};
        auto r = o.login({"000000"});
        if (c.admitted != r.ok()) fail_msg("tty '%s' rhost '%s': admitted=%d", c.tty, c.rhost, r.ok());
    }
    o.ctx.config.failmode.allow_console = false;
    o.ctx.origin = {"tty1", "", ""};
    assert_false(o.login({"000000"}).ok());
}

// su and sudo: the real uid is the caller's, who can SIGSTOP the process past
// the connect timeout. Neither door opens there; a break-glass code still does.
void test_doors_stay_shut_in_a_process_its_caller_can_stop(void**) {
    Outage o;
    o.ctx.config.failmode.allow_groups = {group_of_nobody()};
    o.ctx.config.failmode.allow_console = true;
    o.ctx.origin = {"tty1", "", ""};
    auto codes = chorus::break_glass_renew(o.ctx, kUser);
    assert_true(codes.ok());
    const std::string code(codes->front().view());
    assert_true(o.login({}).ok());  // as root throughout: the group door opens
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const passwd* pw = getpwnam(kUser);
        if (pw == nullptr || setresuid(pw->pw_uid, 0, 0) != 0) _exit(2);
        if (!chorus::caller_can_signal_us()) _exit(3);
        auto shut = o.login({"ZZZZ-ZZZZ-ZZZZ"});
        if (shut.ok() || shut.code() != Errc::unavailable) _exit(4);
        auto glass = o.login({code});
        if (!glass.ok() || *glass != LoginResult::break_glass) _exit(5);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

void test_break_glass_code_works_once(void**) {
    Outage o;
    auto codes = chorus::break_glass_renew(o.ctx, kUser);
    assert_true(codes.ok());
    assert_true(codes->size() >= 5);
    const std::string code(codes->front().view());
    auto r = o.login({code});
    Answers* a = o.last.get();
    assert_true(r.ok());
    assert_int_equal(static_cast<int>(*r), static_cast<int>(LoginResult::break_glass));
    chorus::AccountOptions after;
    after.after_break_glass = true;
    assert_true(chorus::login_account(o.ctx, kUser, *a, after).ok());
    assert_false(chorus::login_account(o.ctx, kUser, *a, {}).ok());
    // Used: the outage's answer again, not a second admission.
    assert_int_equal(code_of(o.login({code})), static_cast<int>(Errc::unavailable));
    assert_int_equal(code_of(o.login({"ZZZZ-ZZZZ-ZZZZ"})), static_cast<int>(Errc::unavailable));
    // Another account cannot use nobody's codes.
    Answers other({std::string((*codes)[1].view())});
    assert_false(chorus::login_authenticate(o.ctx, "root", other, std::nullopt).ok());
    // Codes for an account that does not exist are refused the same way.
    Answers ghost({std::string((*codes)[1].view())});
    assert_int_equal(code_of(chorus::login_authenticate(o.ctx, "no-such-user-x", ghost, std::nullopt)),
                     static_cast<int>(Errc::unavailable));
}

void test_break_glass_is_not_a_way_in_while_the_store_works(void**) {
    chorus_test::FlowFixture f;
    f.ctx.config.failmode.break_glass_path = f.dir.file("break-glass");
    f.ctx.config.failmode.allow_groups = {group_of_nobody()};
    f.enroll(kUser);
    auto codes = chorus::break_glass_renew(f.ctx, kUser);
    assert_true(codes.ok());
    Answers a({std::string(codes->front().view())});
    auto r = chorus::login_authenticate(f.ctx, kUser, a, std::nullopt);
    assert_int_equal(code_of(r), static_cast<int>(Errc::bad_code));
}

void test_other_store_failures_are_never_admitted(void**) {
    for (Errc e : {Errc::io, Errc::corrupt, Errc::unsafe_file, Errc::busy, Errc::config}) {
        Outage o(e);
        o.ctx.config.failmode.allow_groups = {group_of_nobody()};
        o.ctx.config.failmode.allow_console = true;
        o.ctx.origin = {"tty1", "", ""};
        auto codes = chorus::break_glass_renew(o.ctx, kUser);
        assert_true(codes.ok());
        Answers a({std::string(codes->front().view())});
        assert_int_equal(code_of(chorus::login_authenticate(o.ctx, kUser, a, std::nullopt)),
                         static_cast<int>(e));
        chorus::AccountOptions after;
        after.after_break_glass = true;
        assert_int_equal(static_cast<int>(chorus::login_account(o.ctx, kUser, a, after).code()),
                         static_cast<int>(e));
    }
}

void test_console_patterns(void**) {
    const std::vector<std::string> p = chorus::FailmodeConfig{}.console_ttys;
    assert_true(chorus::is_console_tty(p, "tty63"));
    assert_false(chorus::is_console_tty(p, "hvc0"));  // remote on cloud machines: opt in
    assert_true(chorus::is_console_tty({"hvc[0-9]*"}, "hvc0"));
    assert_false(chorus::is_console_tty(p, "ttyp0x/.."));
    assert_false(chorus::is_console_tty(p, "/dev/pts/3"));
    assert_false(chorus::is_console_tty(p, "/dev/"));
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_denies_everyone),
        cmocka_unit_test(test_listed_group_is_let_in_without_a_code),
        cmocka_unit_test(test_console_means_a_console_tty_and_no_remote_host),
        cmocka_unit_test(test_doors_stay_shut_in_a_process_its_caller_can_stop),
        cmocka_unit_test(test_break_glass_code_works_once),
        cmocka_unit_test(test_break_glass_is_not_a_way_in_while_the_store_works),
        cmocka_unit_test(test_other_store_failures_are_never_admitted),
        cmocka_unit_test(test_console_patterns),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
