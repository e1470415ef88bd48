// SPDX-License-Identifier: BSD-2-Clause
// Blocklist: normalisation, lookups, the compiler, and open() refusing
// corrupted, truncated, unsafe or non-regular files.
// Library and standard headers come before testutil.hpp: cmocka defines a
// fail() macro that breaks <ios> if it is seen first.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "password/blocklist.hpp"
#include "testutil.hpp"

using namespace chorus;
using chorus_test::TempDir;

namespace {

// Letters-only word number i with a prefix, e.g. "mbq": distinct prefixes give
// lists that cannot collide after normalisation.
std::string word(char prefix, std::size_t i) {
    std::string w(1, prefix);
    do {
        w.push_back(static_cast<char>('a' + i % 26));
        i /= 26;
    } while (i > 0);
    return w + "xyzzy";
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_bytes(const std::string& path, const std::string& data) {
    chorus_test::write_file(path, data, 0644);
}

// A compiled file of a few words, returned as bytes for tampering.
std::string small_file(const TempDir& dir) {
    std::istringstream words("password\nqwerty\nletmein\ndragon\n");
    assert_true(Blocklist::compile(words, dir.file("bl")).ok());
    return read_bytes(dir.file("bl"));
}

void expect_refused(const std::string& path, Errc code) {
    auto r = Blocklist::open(path);
    assert_false(r.ok());
    if (r.code() != code)
        fail_msg("open(%s): code %d, message %s", path.c_str(), static_cast<int>(r.code()),
                 r.error().message.c_str());
}

}  // namespace

static void test_normalize_undoes_case_substitutions_and_affixes(void**) {
    assert_string_equal(Blocklist::normalize("P@ssw0rd2024!").c_str(), "password");
    assert_string_equal(Blocklist::normalize("Password1").c_str(), "password");
    assert_string_equal(Blocklist::normalize("  password  ").c_str(), "password");
    assert_string_equal(Blocklist::normalize("2024PA55WORD!!").c_str(), "password");
    assert_string_equal(Blocklist::normalize("ÉCOLE").c_str(), "écoie");  // l folds to i, like 1 and !
    // Same function for entries and candidates, so ambiguous 1/l/i agree.
    assert_string_equal(Blocklist::normalize("p1nk").c_str(), Blocklist::normalize("PINK").c_str());
    assert_string_equal(Blocklist::normalize("123456!").c_str(), Blocklist::normalize("123456").c_str());
    assert_string_equal(Blocklist::normalize("!!!").c_str(), "");
}

static void test_leaked_password_variants_hit(void**) {
    Blocklist bl =
        Blocklist::from_words({"password", "123456", "admin", "qwerty", "letmein", "trustno1", "secret"});
    for (const char* pw : {"P@ssw0rd2024!", "Password1", "  password  ", "PASSWORD", "p4ssw0rd", "Pa$$word99",
                           "123456", "123456!", "@dmin1", "Admin2024", "L3tM31n!", "qwerty", "Tru5tN0!",
                           "trustno1", "$ecret2024", "5ECRET!"})
        if (!bl.contains(pw)) fail_msg("%s should be blocklisted", pw);
}

static void test_unrelated_passwords_miss(void**) {
    Blocklist bl = Blocklist::from_words({"password", "123456", "admin", "x", "ab"});
    for (const char* pw : {"Tr7!kqzvMbn", "passwor", "Passwort1", "1234567", "", "!!7x99", "12ab34", "adm"})
        if (bl.contains(pw)) fail_msg("%s should not be blocklisted", pw);
    assert_true(bl.contains("x"));  // a short entry still matches itself
    assert_true(bl.contains("AB"));
}

static void test_empty_list_matches_nothing(void**) {
    Blocklist bl = Blocklist::from_words({});
    assert_int_equal(bl.size(), 0);
    assert_false(bl.contains("password"));
}

static void test_compile_and_open_100k_words(void**) {
    TempDir dir;
    constexpr std::size_t kWords = 100000;
    std::string text;
    for (std::size_t i = 0; i < kWords; ++i) text += word('m', i) + (i % 7 == 0 ? "\r\n" : "\n");
    std::istringstream in(text);
    assert_true(Blocklist::compile(in, dir.file("big.bl")).ok());
    auto bl = Blocklist::open(dir.file("big.bl"));
    assert_true(bl.ok());
    assert_true(bl->size() >= kWords);

    for (std::size_t i = 0; i < kWords; i += 97) {
        std::string w = word('m', i);
        if (!bl->contains(w)) fail_msg("%s missing", w.c_str());
        w[0] = 'M';
        if (!bl->contains(w + "2024!")) fail_msg("%s2024! missing", w.c_str());
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t false_hits = 0;
    for (std::size_t i = 0; i < 20000; ++i) false_hits += bl->contains(word('n', i)) ? 1 : 0;
    const auto us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    assert_int_equal(false_hits, 0);
    print_message("100k-word list: %.2f us per miss lookup\n", us / 20000.0);
}

static void test_compile_from_data_file(void**) {
    TempDir dir;
    std::ifstream in(std::string(CHORUS_TEST_DATA) + "/password/common-passwords.txt");
    assert_true(in.is_open());
    assert_true(Blocklist::compile(in, dir.file("common.bl")).ok());
    auto bl = Blocklist::open(dir.file("common.bl"));
    assert_true(bl.ok());
    assert_true(bl->contains("Tru5tN01!"));
    assert_true(bl->contains("Sunshine2024"));
    assert_false(bl->contains("Tr7!kqzvMbn"));
}

static void test_compile_skips_empty_lines_and_carriage_returns(void**) {
    TempDir dir;
    std::istringstream in("\r\n\npassword\r\n\n");
    assert_true(Blocklist::compile(in, dir.file("bl")).ok());
    auto bl = Blocklist::open(dir.file("bl"));
    assert_true(bl.ok());
    assert_true(bl->contains("password"));
    assert_false(bl->contains(""));
}

static void test_compile_replaces_file_and_leaves_no_temporary(void**) {
    TempDir dir;
    std::istringstream first("dragon\n");
    assert_true(Blocklist::compile(first, dir.file("bl")).ok());
    std::istringstream second("monkey\n");
    assert_true(Blocklist::compile(second, dir.file("bl")).ok());
    auto bl = Blocklist::open(dir.file("bl"));
    assert_true(bl.ok());
    assert_true(bl->contains("monkey"));
    assert_false(bl->contains("dragon"));
    int entries = 0;
    DIR* d = opendir(dir.path().c_str());
    while (dirent* e = readdir(d)) entries += e->d_name[0] == '.' ? 0 : 1;
    closedir(d);
    assert_int_equal(entries, 1);
    struct stat st {};
    assert_int_equal(stat(dir.file("bl").c_str(), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_compile_into_missing_directory_fails(void**) {
    std::istringstream in("x\n");
    assert_false(Blocklist::compile(in, "/nonexistent-chorus-dir/bl").ok());
}

static void test_truncated_file_is_refused(void**) {
    TempDir dir;
    std::string bytes = small_file(dir);
    write_bytes(dir.file("t1"), bytes.substr(0, bytes.size() - 4));
    expect_refused(dir.file("t1"), Errc::corrupt);
    write_bytes(dir.file("t2"), bytes.substr(0, 20));  // shorter than the header
    expect_refused(dir.file("t2"), Errc::corrupt);
    write_bytes(dir.file("t3"), "");
    expect_refused(dir.file("t3"), Errc::corrupt);
    write_bytes(dir.file("t4"), bytes + std::string(8, '\xff'));  // extra entry not counted
    expect_refused(dir.file("t4"), Errc::corrupt);
}

static void test_corrupted_header_is_refused(void**) {
    TempDir dir;
    const std::string good = small_file(dir);
    struct Patch {
        std::size_t offset;
        char value;
    };
    const Patch patches[] = {{0, 'X'}, {8, 2}, {12, 64}, {16, 1}, {23, 0x7f}, {24, 1}};
    for (const Patch& p : patches) {
        std::string bad = good;
        bad[p.offset] = p.value;
        write_bytes(dir.file("bad"), bad);
        expect_refused(dir.file("bad"), Errc::corrupt);
    }
    write_bytes(dir.file("good"), good);
    assert_true(Blocklist::open(dir.file("good")).ok());
}

static void test_unsorted_or_duplicate_entries_are_refused(void**) {
    TempDir dir;
    const std::string good = small_file(dir);
    std::string swapped = good;
    std::memcpy(&swapped[32], good.data() + 40, 8);
    std::memcpy(&swapped[40], good.data() + 32, 8);
    write_bytes(dir.file("swapped"), swapped);
    expect_refused(dir.file("swapped"), Errc::corrupt);
    std::string dup = good;
    std::memcpy(&dup[40], good.data() + 32, 8);
    write_bytes(dir.file("dup"), dup);
    expect_refused(dir.file("dup"), Errc::corrupt);
}

static void test_symlinked_file_is_refused(void**) {
    TempDir dir;
    small_file(dir);
    assert_int_equal(symlink(dir.file("bl").c_str(), dir.file("link").c_str()), 0);
    expect_refused(dir.file("link"), Errc::unsafe_file);
}

static void test_group_or_world_writable_file_is_refused(void**) {
    TempDir dir;
    small_file(dir);
    assert_int_equal(chmod(dir.file("bl").c_str(), 0664), 0);
    expect_refused(dir.file("bl"), Errc::unsafe_file);
    assert_int_equal(chmod(dir.file("bl").c_str(), 0646), 0);
    expect_refused(dir.file("bl"), Errc::unsafe_file);
}

static void test_directory_and_fifo_are_refused_without_hanging(void**) {
    TempDir dir;
    expect_refused(dir.path(), Errc::unsafe_file);
    assert_int_equal(mkfifo(dir.file("fifo").c_str(), 0600), 0);
    expect_refused(dir.file("fifo"), Errc::unsafe_file);
}

static void test_missing_file_is_an_io_error(void**) {
    TempDir dir;
    expect_refused(dir.file("absent"), Errc::io);
}

static void test_moved_blocklist_keeps_working(void**) {
    TempDir dir;
    small_file(dir);
    auto opened = Blocklist::open(dir.file("bl"));
    assert_true(opened.ok());
    Blocklist a = std::move(opened).value();
    Blocklist b = std::move(a);
    assert_true(b.contains("Dragon1"));
    Blocklist c = Blocklist::from_words({"monkey"});
    c = std::move(b);
    assert_true(c.contains("qwerty"));
    Blocklist d;
    d = Blocklist::from_words({"monkey"});
    assert_true(d.contains("monkey"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_undoes_case_substitutions_and_affixes),
        cmocka_unit_test(test_leaked_password_variants_hit),
        cmocka_unit_test(test_unrelated_passwords_miss),
        cmocka_unit_test(test_empty_list_matches_nothing),
        cmocka_unit_test(test_compile_and_open_100k_words),
        cmocka_unit_test(test_compile_from_data_file),
        cmocka_unit_test(test_compile_skips_empty_lines_and_carriage_returns),
        cmocka_unit_test(test_compile_replaces_file_and_leaves_no_temporary),
        cmocka_unit_test(test_compile_into_missing_directory_fails),
        cmocka_unit_test(test_truncated_file_is_refused),
        cmocka_unit_test(test_corrupted_header_is_refused),
        cmocka_unit_test(test_unsorted_or_duplicate_entries_are_refused),
        cmocka_unit_test(test_symlinked_file_is_refused),
        cmocka_unit_test(test_group_or_world_writable_file_is_refused),
        cmocka_unit_test(test_directory_and_fifo_are_refused_without_hanging),
        cmocka_unit_test(test_missing_file_is_an_io_error),
        cmocka_unit_test(test_moved_blocklist_keeps_working),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
