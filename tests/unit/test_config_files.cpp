// SPDX-License-Identifier: BSD-2-Clause
// chorus.yaml on disk: the loader's safe open (owner, mode, links, FIFOs,
// size) and the missing-file rules.
#include "config_fixture.hpp"

using namespace config_test;

namespace {

// ---- loading files safely ----

void test_file_loads_with_its_path_as_source(void**) {
    TempDir dir;
    write_file(dir.file("chorus.yaml"), "otp:\n  digits: 7\n", 0644);
    auto r = chorus::load_config(dir.file("chorus.yaml"), test_opts());
    assert_true(r.ok());
    assert_int_equal(r->otp.digits, 7);
    assert_string_equal(r->source.c_str(), dir.file("chorus.yaml").c_str());
}

void test_invalid_file_error_names_the_file(void**) {
    TempDir dir;
    write_file(dir.file("chorus.yaml"), "otp:\n  digits: 70\n");
    auto r = chorus::load_config(dir.file("chorus.yaml"), test_opts());
    assert_false(r.ok());
    expect_contains(r.error().message, dir.file("chorus.yaml") + ":2:11: otp.digits: 70 is out of range");
}

void test_missing_default_file_gives_builtin_defaults(void**) {
    TempDir dir;
    for (const std::string& path : {dir.file("chorus.yaml"), dir.file("no-such-dir/chorus.yaml")}) {
        auto r = chorus::load_config_at(path, MissingConfig::use_defaults, test_opts());
        assert_true(r.ok());
        assert_string_equal(r->source.c_str(), "built-in defaults");
        assert_same_config(*r, Config{});
    }
}

void test_missing_explicit_file_is_an_error(void**) {
    TempDir dir;
    auto r = chorus::load_config(dir.file("chorus.yaml"), test_opts());
    assert_false(r.ok());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::config));
    expect_contains(r.error().message, dir.file("chorus.yaml") + ": No such file or directory");
}

void expect_refused(const std::string& path, const std::string& why,
                    MissingConfig missing = MissingConfig::error, const LoadOptions& opts = test_opts()) {
    auto r = chorus::load_config_at(path, missing, opts);
    assert_false(r.ok());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::config));
    expect_contains(r.error().message, why);
}

void test_symlink_is_refused(void**) {
    TempDir dir;
    write_file(dir.file("real.yaml"), "otp: {}\n");
    assert_int_equal(symlink(dir.file("real.yaml").c_str(), dir.file("chorus.yaml").c_str()), 0);
    // Even at the default path, where a missing file would mean defaults.
    expect_refused(dir.file("chorus.yaml"), "symbolic link", MissingConfig::use_defaults);
}

void test_group_or_world_writable_file_is_refused(void**) {
    TempDir dir;
    for (mode_t mode : {0620, 0602, 0666}) {
        write_file(dir.file("chorus.yaml"), "otp: {}\n", mode);
        expect_refused(dir.file("chorus.yaml"), "group- or world-writable");
    }
}

void test_writable_parent_directory_is_refused(void**) {
    TempDir dir;
    write_file(dir.file("chorus.yaml"), "otp: {}\n");
    assert_int_equal(chmod(dir.path().c_str(), 0777), 0);
    expect_refused(dir.file("chorus.yaml"), "directory " + dir.path() + ": is group- or world-writable");
}

void test_file_over_size_cap_is_refused(void**) {
    TempDir dir;
    write_file(dir.file("chorus.yaml"), "# " + std::string(10 * 1024 * 1024, 'x') + "\n");
    expect_refused(dir.file("chorus.yaml"), "larger than 262144 bytes");
}

void test_fifo_is_refused_without_hanging(void**) {
    TempDir dir;
    assert_int_equal(mkfifo(dir.file("chorus.yaml").c_str(), 0600), 0);
    alarm(10);  // a blocking open would hang here; the alarm turns that into a failure
    expect_refused(dir.file("chorus.yaml"), "not a regular file");
    alarm(0);
}

void test_directory_is_refused(void**) {
    TempDir dir;
    assert_int_equal(mkdir(dir.file("chorus.yaml").c_str(), 0700), 0);
    expect_refused(dir.file("chorus.yaml"), "not a regular file");
}

void test_wrong_owner_is_refused_when_root_required(void**) {
    if (geteuid() != 0) skip();
    TempDir dir;
    write_file(dir.file("chorus.yaml"), "otp: {}\n", 0644);
    LoadOptions strict;  // require_root_owner = true, as every front end passes
    assert_true(chorus::load_config(dir.file("chorus.yaml"), strict).ok());
    assert_int_equal(chown(dir.file("chorus.yaml").c_str(), 65534, 65534), 0);
    expect_refused(dir.file("chorus.yaml"), "owned by uid 65534, must be owned by root", MissingConfig::error,
                   strict);
    assert_int_equal(chown(dir.file("chorus.yaml").c_str(), 0, 0), 0);
    assert_int_equal(chown(dir.path().c_str(), 65534, 65534), 0);
    expect_refused(dir.file("chorus.yaml"), "directory " + dir.path() + ": owned by uid 65534",
                   MissingConfig::error, strict);
}

void test_trusted_file_reports_missing_as_not_found(void**) {
    TempDir dir;
    chorus::TrustedFileOptions o;
    o.require_root_owner = false;
    auto r = chorus::read_trusted_file(dir.file("seal.key"), o);
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::not_found));
    write_file(dir.file("seal.key"), std::string("k\0y", 3));
    auto ok = chorus::read_trusted_file(dir.file("seal.key"), o);
    assert_true(ok.ok());
    assert_int_equal(ok->size(), 3);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_loads_with_its_path_as_source),
        cmocka_unit_test(test_invalid_file_error_names_the_file),
        cmocka_unit_test(test_missing_default_file_gives_builtin_defaults),
        cmocka_unit_test(test_missing_explicit_file_is_an_error),
        cmocka_unit_test(test_symlink_is_refused),
        cmocka_unit_test(test_group_or_world_writable_file_is_refused),
        cmocka_unit_test(test_writable_parent_directory_is_refused),
        cmocka_unit_test(test_file_over_size_cap_is_refused),
        cmocka_unit_test(test_fifo_is_refused_without_hanging),
        cmocka_unit_test(test_directory_is_refused),
        cmocka_unit_test(test_wrong_owner_is_refused_when_root_required),
        cmocka_unit_test(test_trusted_file_reports_missing_as_not_found),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
