// SPDX-License-Identifier: BSD-2-Clause
// The password check of a change or reset (flows/password_change): a
// configured blocklist that cannot be used fails the check (Errc::config),
// so a password is never let through unchecked.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "flow_fixture.hpp"
#include "flows/password_change.hpp"
#include "password/blocklist.hpp"

using chorus::Errc;
using chorus::PasswordMode;
using chorus_test::FlowFixture;

namespace {

// Passes every default rule; "dragon" after normalisation.
constexpr const char* kLeaked = "Dragon2024!";

std::string compiled(const chorus_test::TempDir& dir, const std::string& name) {
    std::istringstream words("password\nqwerty\nletmein\ndragon\n");
    if (!chorus::Blocklist::compile(words, dir.file(name)).ok()) abort();
    std::ifstream in(dir.file(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Fails unless the check is refused with Errc::config, twice (a failed load
// is not remembered as "no blocklist").
void expect_config_error(FlowFixture& f, PasswordMode mode) {
    for (int i = 0; i < 2; ++i) {
        auto cl = chorus::password_checklist(f.ctx, "alice", "", kLeaked, mode);
        if (cl.ok()) fail_msg("checked without the blocklist %s", f.ctx.config.password.blocklist.c_str());
        assert_int_equal(static_cast<int>(cl.code()), static_cast<int>(Errc::config));
        assert_false(f.ctx.blocklist.has_value());
    }
}

void test_a_usable_blocklist_refuses_a_listed_password(void**) {
    FlowFixture f;
    auto plain = chorus::password_checklist(f.ctx, "alice", "", kLeaked, PasswordMode::change);
    assert_true(plain.ok() && plain->ok());  // no blocklist configured: nothing against it
    compiled(f.dir, "good.bl");
    f.ctx.config.password.blocklist = f.dir.file("good.bl");
    auto cl = chorus::password_checklist(f.ctx, "alice", "", kLeaked, PasswordMode::change);
    assert_true(cl.ok());
    assert_false(cl->ok());
    bool listed = false;
    for (const auto& r : cl->rules) listed = listed || (r.id == "not_blocklisted" && !r.met);
    assert_true(listed);
}

void test_a_missing_blocklist_fails_the_password_check(void**) {
    FlowFixture f;
    f.ctx.config.password.blocklist = f.dir.file("missing.bl");
    expect_config_error(f, PasswordMode::change);
    expect_config_error(f, PasswordMode::reset);
    // Once the file is there, the same context uses it.
    compiled(f.dir, "missing.bl");
    auto cl = chorus::password_checklist(f.ctx, "alice", "", kLeaked, PasswordMode::change);
    assert_true(cl.ok());
    assert_false(cl->ok());
}

void test_a_corrupt_blocklist_fails_the_password_check(void**) {
    FlowFixture f;
    const std::string good = compiled(f.dir, "good.bl");
    const std::string path = f.dir.file("bad.bl");
    f.ctx.config.password.blocklist = path;
    std::string unsorted = good;
    std::swap_ranges(unsorted.begin() + 32, unsorted.begin() + 40, unsorted.begin() + 40);
    std::string bad_version = good;
    bad_version[8] = 9;
    const std::string damaged[] = {
        "",                               // empty
        "XHORUSBL" + good.substr(8),      // wrong magic
        good.substr(0, good.size() - 3),  // torn
        good + std::string(8, '\xff'),    // more entries than the count
        unsorted,                         // not in order
        bad_version,                      // a format this build can't read
        "password\nqwerty\n",             // a word list, not compiled
    };
    for (const std::string& bytes : damaged) {
        chorus_test::write_file(path, bytes, 0644);
        expect_config_error(f, PasswordMode::change);
    }
}

void test_a_blocklist_others_could_change_fails_the_password_check(void**) {
    FlowFixture f;
    compiled(f.dir, "bl");
    f.ctx.config.password.blocklist = f.dir.file("bl");
    chmod(f.dir.file("bl").c_str(), 0666);
    expect_config_error(f, PasswordMode::change);
    chmod(f.dir.file("bl").c_str(), 0644);
    assert_int_equal(symlink(f.dir.file("bl").c_str(), f.dir.file("link.bl").c_str()), 0);
    f.ctx.config.password.blocklist = f.dir.file("link.bl");
    expect_config_error(f, PasswordMode::change);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_usable_blocklist_refuses_a_listed_password),
        cmocka_unit_test(test_a_missing_blocklist_fails_the_password_check),
        cmocka_unit_test(test_a_corrupt_blocklist_fails_the_password_check),
        cmocka_unit_test(test_a_blocklist_others_could_change_fails_the_password_check),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
