// SPDX-License-Identifier: BSD-2-Clause
// The tools' shared helpers (tools/common) and chorusctl's google-authenticator
// file parser, without running a binary.
#include <unistd.h>

#include <csetjmp>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include <cmocka.h>
}

#include "chorusctl/ga_file.hpp"
#include "common/args.hpp"
#include "common/secret.hpp"
#include "common/text.hpp"

using namespace chorus_tools;

static void test_escape_text_neutralises_terminal_controls(void**) {
    assert_string_equal(escape_text("a\x1b[2Jb").c_str(), "a\\x1b[2Jb");
    assert_string_equal(escape_text("tab\tnl\n").c_str(), "tab\\x09nl\\x0a");
    assert_string_equal(escape_text("\x7f").c_str(), "\\x7f");
    assert_string_equal(escape_text("\xc2\x9b"
                                    "31m")
                            .c_str(),
                        "\\xc2\\x9b31m");                                    // C1 CSI
    assert_string_equal(escape_text("\xff\xfe").c_str(), "\\xff\\xfe");      // not UTF-8
    assert_string_equal(escape_text("\xc0\xaf").c_str(), "\\xc0\\xaf");      // overlong '/'
    assert_string_equal(escape_text("caf\xc3\xa9").c_str(), "caf\xc3\xa9");  // é kept
    assert_string_equal(escape_text("a\\b").c_str(), "a\\\\b");
    assert_string_equal(escape_text("a\\b", false).c_str(), "a\\b");
}

static void test_json_string_escapes(void**) {
    assert_string_equal(json_string("a\"b\\c\n").c_str(), "\"a\\\"b\\\\c\\u000a\"");
    assert_string_equal(json_string("\xff").c_str(), "\"\\ufffd\"");
    assert_string_equal(json_string("").c_str(), "\"\"");
}

static void test_parse_args_mixes_options_and_operands(void**) {
    const char* words[] = {"x", "alice", "--digits", "8", "--qr=ansi", "--qr", "--", "--json", nullptr};
    auto pa = parse_args(8, const_cast<char**>(words), 1,
                         {{"digits", ArgKind::required}, {"qr", ArgKind::optional}, {"json", ArgKind::flag}});
    assert_true(pa.error.empty());
    assert_int_equal(pa.operands.size(), 2);
    assert_true(pa.operands[0] == "alice");
    assert_true(pa.operands[1] == "--json");
    assert_true(*pa.last("digits")->value == "8");
    assert_false(pa.last("qr")->value.has_value());  // the later --qr wins
    assert_false(pa.has("json"));
}

static void test_parse_args_reports_errors(void**) {
    const char* a[] = {"x", "--nope", nullptr};
    assert_false(parse_args(2, const_cast<char**>(a), 1, {}).error.empty());
    const char* b[] = {"x", "--digits", nullptr};
    assert_false(parse_args(2, const_cast<char**>(b), 1, {{"digits", ArgKind::required}}).error.empty());
    const char* c[] = {"x", "--json=1", nullptr};
    assert_false(parse_args(2, const_cast<char**>(c), 1, {{"json", ArgKind::flag}}).error.empty());
    const char* d[] = {"x", "cmd", "--json", nullptr};
    auto pa = parse_args(3, const_cast<char**>(d), 1, {}, true);  // stops at the command
    assert_true(pa.error.empty());
    assert_int_equal(pa.operands.size(), 2);
}

static ReadLine read_from(const char* input, size_t len, SecretBuffer& buf) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], input, len), static_cast<ssize_t>(len));
    close(p[1]);
    ReadLine r = read_secret_line(p[0], buf, true);
    close(p[0]);
    return r;
}

static void test_read_secret_line_outcomes(void**) {
    SecretBuffer buf(8);
    assert_int_equal(static_cast<int>(read_from("pass\nnext\n", 10, buf)), static_cast<int>(ReadLine::ok));
    assert_string_equal(buf.c_str(), "pass");
    assert_int_equal(static_cast<int>(read_from("nonl", 4, buf)), static_cast<int>(ReadLine::ok));
    assert_string_equal(buf.c_str(), "nonl");
    assert_int_equal(static_cast<int>(read_from("", 0, buf)), static_cast<int>(ReadLine::eof));
    assert_int_equal(static_cast<int>(read_from("\n", 1, buf)), static_cast<int>(ReadLine::ok));
    assert_int_equal(buf.size(), 0);
    assert_int_equal(static_cast<int>(read_from("123456789\n", 10, buf)),
                     static_cast<int>(ReadLine::too_long));
    assert_int_equal(buf.size(), 0);
    assert_int_equal(static_cast<int>(read_from("a\0b\n", 4, buf)), static_cast<int>(ReadLine::nul_byte));
}

static const char kGaTotp[] =
    "QOMU25E7LLF62WMDQMD2XI2ZI4\n\" RATE_LIMIT 3 30 1700000000\n\" WINDOW_SIZE 17\n"
    "\" DISALLOW_REUSE 56666666\n\" TOTP_AUTH\n\" STEP_SIZE 60\n\" FUTURE_THING x\n20668360\n70821982\n";

static void test_ga_file_totp_with_scratch_codes(void**) {
    chorusctl::GaFile ga;
    std::string err;
    assert_true(chorusctl::parse_ga_file(kGaTotp, ga, err));
    assert_string_equal(ga.secret.c_str(), "QOMU25E7LLF62WMDQMD2XI2ZI4");
    assert_true(ga.totp_auth);
    assert_false(ga.hotp);
    assert_true(ga.disallow_reuse);
    assert_int_equal(ga.step_size, 60);
    assert_int_equal(ga.window_size, 17);
    assert_string_equal(ga.rate_limit.c_str(), "3 30");
    assert_int_equal(ga.scratch.size(), 2);
    assert_string_equal(ga.scratch[1].data(), "70821982");
    assert_int_equal(ga.unknown.size(), 1);
}

static void test_ga_file_hotp_is_recognised(void**) {
    chorusctl::GaFile ga;
    std::string err;
    assert_true(chorusctl::parse_ga_file("JBSWY3DPEHPK3PXP\n\" HOTP_COUNTER 1\n12345678\n", ga, err));
    assert_true(ga.hotp);
    assert_false(ga.totp_auth);
}

static void test_ga_file_rejects_garbage(void**) {
    std::string err;
    {
        chorusctl::GaFile ga;
        assert_false(chorusctl::parse_ga_file("not base32!\n", ga, err));
    }
    {
        chorusctl::GaFile ga;
        assert_false(chorusctl::parse_ga_file("JBSWY3DPEHPK3PXP\n1234567\n", ga, err));
        assert_string_equal(err.c_str(), "line 2: neither an option nor an 8-digit scratch code");
    }
    {
        chorusctl::GaFile ga;
        assert_false(chorusctl::parse_ga_file("JBSWY3DPEHPK3PXP\n\" STEP_SIZE 0\n", ga, err));
    }
    {
        chorusctl::GaFile ga;
        assert_false(chorusctl::parse_ga_file("", ga, err));
    }
}

static void test_ga_window_maps_to_steps_each_side(void**) {
    assert_int_equal(chorusctl::ga_window_to_chorus(1), 0);
    assert_int_equal(chorusctl::ga_window_to_chorus(3), 1);
    assert_int_equal(chorusctl::ga_window_to_chorus(4), 1);
    assert_int_equal(chorusctl::ga_window_to_chorus(17), 8);
    assert_int_equal(chorusctl::ga_window_to_chorus(21), 10);
    assert_int_equal(chorusctl::ga_window_to_chorus(99), 10);
}

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_text_neutralises_terminal_controls),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_parse_args_mixes_options_and_operands),
        cmocka_unit_test(test_parse_args_reports_errors),
        cmocka_unit_test(test_read_secret_line_outcomes),
        cmocka_unit_test(test_ga_file_totp_with_scratch_codes),
        cmocka_unit_test(test_ga_file_hotp_is_recognised),
        cmocka_unit_test(test_ga_file_rejects_garbage),
        cmocka_unit_test(test_ga_window_maps_to_steps_each_side),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
