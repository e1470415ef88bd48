// SPDX-License-Identifier: BSD-2-Clause
// The password checklist: seed rules (8..16 code points, 3 of 4 classes),
// non-ASCII text, invalid UTF-8, user names, blocklist, repeats, sequences.
// Library and standard headers come before testutil.hpp: cmocka defines a
// fail() macro that breaks <ios> if it is seen first.
#include <string>
#include <vector>

#include "password/blocklist.hpp"
#include "password/checklist.hpp"
#include "password/utf8.hpp"
#include "testutil.hpp"

using namespace chorus;

namespace {

const RuleResult* find_rule(const Checklist& list, const char* id) {
    for (const auto& r : list.rules)
        if (r.id == id) return &r;
    return nullptr;
}

// Whether rule `id` is present and met for pw under cfg (no user, no list).
bool met(const PasswordConfig& cfg, std::string_view pw, const char* id, const PasswordSubject& who = {},
         const Blocklist* bl = nullptr) {
    Checklist list = check_password(cfg, pw, who, bl);
    const RuleResult* r = find_rule(list, id);
    if (r == nullptr) fail_msg("rule %s missing", id);
    return r->met;
}

std::vector<std::string> ids(const Checklist& list) {
    std::vector<std::string> out;
    for (const auto& r : list.rules) out.push_back(r.id);
    return out;
}

}  // namespace

static void test_default_config_is_8_to_16_characters_and_3_classes(void**) {
    PasswordConfig cfg;
    Checklist list = check_password(cfg, "", {}, nullptr);
    assert_int_equal(list.rules.size(), 4);
    assert_string_equal(list.rules[0].id.c_str(), "min_length");
    assert_string_equal(list.rules[0].text.c_str(), "At least 8 characters");
    assert_string_equal(list.rules[1].id.c_str(), "max_length");
    assert_string_equal(list.rules[1].text.c_str(), "At most 16 characters");
    assert_string_equal(list.rules[2].id.c_str(), "classes");
    assert_string_equal(list.rules[2].text.c_str(), "At least 3 of: lowercase, uppercase, digits, symbols");
    assert_string_equal(list.rules[3].id.c_str(), "valid_utf8");
    assert_string_equal(list.rules[3].text.c_str(), "Only valid UTF-8 text");
}

static void test_seven_characters_fail_min_length(void**) {
    assert_false(met(PasswordConfig{}, "Abcde1!", "min_length"));
}
static void test_eight_characters_pass_min_length(void**) {
    assert_true(met(PasswordConfig{}, "Abcde1!x", "min_length"));
}
static void test_sixteen_characters_pass_max_length(void**) {
    assert_true(met(PasswordConfig{}, "Abcdefgh12345!xy", "max_length"));
}
static void test_seventeen_characters_fail_max_length(void**) {
    assert_false(met(PasswordConfig{}, "Abcdefgh12345!xyz", "max_length"));
}

static void test_seed_boundaries_give_whole_verdict(void**) {
    PasswordConfig cfg;
    assert_false(check_password(cfg, "Abcde1!", {}, nullptr).ok());
    assert_true(check_password(cfg, "Abcde1!x", {}, nullptr).ok());
    assert_true(check_password(cfg, "Abcdefgh12345!xy", {}, nullptr).ok());
    assert_false(check_password(cfg, "Abcdefgh12345!xyz", {}, nullptr).ok());
}

static void test_two_classes_fail_classes(void**) {
    PasswordConfig cfg;
    assert_false(met(cfg, "abcdefg1", "classes"));  // lower + digit
    assert_false(met(cfg, "ABCDEFGh", "classes"));  // upper + lower
    assert_false(met(cfg, "!!!!1234", "classes"));  // symbol + digit
}

static void test_three_classes_pass_classes(void**) {
    PasswordConfig cfg;
    assert_true(met(cfg, "Abcdefg1", "classes"));
    assert_true(met(cfg, "abcdef1!", "classes"));
    assert_true(met(cfg, "ABCDEF1 ", "classes"));  // a space is a symbol
}

static void test_four_classes_required_when_configured(void**) {
    PasswordConfig cfg;
    cfg.min_classes = 4;
    assert_false(met(cfg, "Abcdefg1", "classes"));
    assert_true(met(cfg, "Abcdef1!", "classes"));
}

static void test_length_counts_code_points_not_bytes(void**) {
    PasswordConfig cfg;
    cfg.max_length = 10;
    const std::string pw = "Pässwörd12";  // 10 code points, 12 bytes
    assert_int_equal(pw.size(), 12);
    assert_true(met(cfg, pw, "min_length"));
    assert_true(met(cfg, pw, "max_length"));
    assert_false(met(PasswordConfig{}, "Pässw1!", "min_length"));  // 7 code points, 8 bytes
    assert_true(met(PasswordConfig{}, "Pässw1!ö", "min_length"));  // 8 code points
}

static void test_accented_capitals_count_as_uppercase(void**) {
    PasswordConfig cfg;
    assert_true(check_password(cfg, "ÉCOLEécole1", {}, nullptr).ok());
    assert_true(met(cfg, "ÀÉÎÕÜàéî", "min_length"));
    assert_false(met(cfg, "ÀÉÎÕÜàéî", "classes"));  // upper + lower only
    assert_true(met(cfg, "ÀÉÎÕÜàéî1", "classes"));
}

static void test_non_ascii_letters_are_classified_by_case(void**) {
    assert_int_equal(classify(U'é'), CharClass::lowercase);
    assert_int_equal(classify(U'ß'), CharClass::lowercase);
    assert_int_equal(classify(U'É'), CharClass::uppercase);
    assert_int_equal(classify(U'Ж'), CharClass::uppercase);
    assert_int_equal(classify(U'ж'), CharClass::lowercase);
    assert_int_equal(classify(U'Σ'), CharClass::uppercase);
    assert_int_equal(classify(U'σ'), CharClass::lowercase);
    assert_int_equal(classify(U'7'), CharClass::digit);
    assert_int_equal(classify(U'€'), CharClass::symbol);
}

static void test_caseless_letters_and_other_digits_count_as_symbols(void**) {
    assert_int_equal(classify(U'中'), CharClass::symbol);
    assert_int_equal(classify(U'א'), CharClass::symbol);
    assert_int_equal(classify(U'٣'), CharClass::symbol);  // Arabic-Indic three: digits are ASCII only
    PasswordConfig cfg;
    assert_true(met(cfg, "中文密码Abcd", "classes"));  // symbol + upper + lower
    assert_false(met(cfg, "中文密码中文密码", "classes"));
}

static void test_invalid_utf8_fails_valid_utf8(void**) {
    PasswordConfig cfg;
    const char* bad[] = {
        "Abcdefg1\xff",              // never valid
        "Abcdefg1\xc0\xaf",          // overlong '/'
        "Abcdefg1\xe0\x80\xaf",      // overlong, 3 bytes
        "Abcdefg1\xed\xa0\x80",      // surrogate U+D800
        "Abcdefg1\xf4\x90\x80\x80",  // above U+10FFFF
        "Abcdefg1\xe2\x82",          // truncated
        "Abcdefg1\x80",              // stray continuation byte
    };
    for (const char* pw : bad) {
        assert_false(met(cfg, pw, "valid_utf8"));
        assert_false(check_password(cfg, pw, {}, nullptr).ok());
    }
    assert_true(met(cfg, "Abcdefg1\xf0\x9f\x94\x91", "valid_utf8"));  // U+1F511, 4 bytes
}

static void test_invalid_bytes_count_as_one_symbol_each(void**) {
    DecodedText d = decode_utf8("ab\xff\xfe");
    assert_false(d.valid);
    assert_int_equal(d.cps.size(), 4);
    assert_int_equal(classify(d.cps[2]), CharClass::symbol);
    // Length and classes are still reported for a Latin-1 "Pässwörd1".
    PasswordConfig cfg;
    assert_true(met(cfg, "P\xe4sswd1x", "min_length"));
    assert_true(met(cfg, "P\xe4sswd1x", "classes"));
}

static void test_password_containing_username_fails(void**) {
    PasswordSubject who{"jdoe", ""};
    assert_false(met(PasswordConfig{}, "xJDoe!2024x", "no_username", who));
    assert_true(met(PasswordConfig{}, "Tr7!kqzvMbn", "no_username", who));
}

static void test_gecos_name_parts_use_first_field(void**) {
    auto parts = gecos_name_parts("Jane Q. Doe,Room 1,555-1234,,");
    assert_int_equal(parts.size(), 2);
    assert_string_equal(parts[0].c_str(), "Jane");
    assert_string_equal(parts[1].c_str(), "Doe");
    parts = gecos_name_parts("Mary-Jane Watson");
    assert_int_equal(parts.size(), 3);
    assert_int_equal(gecos_name_parts("").size(), 0);
}

static void test_password_containing_gecos_name_fails(void**) {
    PasswordSubject who{"jq", "Jane Q. Doe,Room 1,555-1234,,"};
    assert_false(met(PasswordConfig{}, "MyJane!2024", "no_username", who));
    assert_false(met(PasswordConfig{}, "xdoe#Tree9", "no_username", who));
    assert_false(met(PasswordConfig{}, "My-J4ne-2024", "no_username", who));  // look-alike digits
    assert_true(met(PasswordConfig{}, "Quiet#Tree9", "no_username", who));    // "Q." is too short
    assert_true(met(PasswordConfig{}, "Roomy#Tree9", "no_username", who));    // later fields ignored
}

static void test_non_ascii_name_matches_case_insensitively(void**) {
    PasswordSubject who{"emile", "Émile Zola"};
    assert_false(met(PasswordConfig{}, "xxÉMILE12", "no_username", who));
    assert_false(met(PasswordConfig{}, "ZOLA-4ever", "no_username", who));
}

static void test_no_username_rule_omitted_without_username_or_when_off(void**) {
    PasswordConfig cfg;
    assert_null(find_rule(check_password(cfg, "Abcdefg1", {}, nullptr), "no_username"));
    cfg.reject_username = false;
    assert_null(
        find_rule(check_password(cfg, "jdoeJdoe1", PasswordSubject{"jdoe", ""}, nullptr), "no_username"));
}

static void test_blocklisted_passwords_fail(void**) {
    Blocklist bl = Blocklist::from_words({"password", "123456", "qwerty"});
    PasswordConfig cfg;
    assert_false(met(cfg, "P@ssw0rd2024!", "not_blocklisted", {}, &bl));
    assert_false(met(cfg, "Password1", "not_blocklisted", {}, &bl));
    assert_false(met(cfg, "  password  ", "not_blocklisted", {}, &bl));
    assert_false(met(cfg, "123456!", "not_blocklisted", {}, &bl));
    assert_false(met(cfg, "Qwerty#99", "not_blocklisted", {}, &bl));
    assert_true(met(cfg, "Tr7!kqzvMbn", "not_blocklisted", {}, &bl));
    assert_true(met(cfg, "Passwort1!", "not_blocklisted", {}, &bl));
    assert_null(find_rule(check_password(cfg, "Password1", {}, nullptr), "not_blocklisted"));
}

static void test_checklist_lists_every_rule_in_stable_order(void**) {
    PasswordConfig cfg;
    cfg.max_repeat = 2;
    cfg.max_sequence = 3;
    Blocklist bl = Blocklist::from_words({"password"});
    Checklist list = check_password(cfg, "Tr7!kqzvMbn", PasswordSubject{"jdoe", "Jane Doe"}, &bl);
    const std::vector<std::string> want = {"min_length",      "max_length", "classes",      "no_username",
                                           "not_blocklisted", "max_repeat", "max_sequence", "valid_utf8"};
    assert_true(ids(list) == want);
    assert_true(list.ok());
    assert_string_equal(list.rules[3].text.c_str(), "Does not contain your user name or name");
    assert_string_equal(list.rules[4].text.c_str(), "Not a common or leaked password");
    assert_string_equal(list.rules[5].text.c_str(), "No character repeated more than 2 times in a row");
    assert_string_equal(list.rules[6].text.c_str(), "No sequences longer than 3 (abcd, 4321)");
}

static void test_all_rules_evaluated_when_the_first_fails(void**) {
    PasswordConfig cfg;
    cfg.max_repeat = 2;
    cfg.max_sequence = 3;
    Blocklist bl = Blocklist::from_words({"jdoeaaa"});
    // Too short, one class, contains the name, listed, repeated, a sequence.
    Checklist list = check_password(cfg, "jdoeaaa", PasswordSubject{"jdoe", ""}, &bl);
    assert_int_equal(list.rules.size(), 8);
    for (const auto& r : list.rules) {
        if (r.id == "max_length" || r.id == "valid_utf8" || r.id == "max_sequence")
            assert_true(r.met);
        else
            assert_false(r.met);
    }
}

static void test_rule_texts_follow_config(void**) {
    PasswordConfig cfg;
    cfg.min_length = 12;
    cfg.max_length = 0;
    cfg.min_classes = 0;
    Checklist list = check_password(cfg, "x", {}, nullptr);
    assert_true(ids(list) == (std::vector<std::string>{"min_length", "valid_utf8"}));
    assert_string_equal(list.rules[0].text.c_str(), "At least 12 characters");
    cfg.min_length = 1;
    cfg.max_repeat = 1;
    list = check_password(cfg, "x", {}, nullptr);
    assert_string_equal(list.rules[0].text.c_str(), "At least 1 character");
    assert_string_equal(list.rules[1].text.c_str(), "No character repeated more than 1 time in a row");
}

static void test_max_repeat_allows_n_and_refuses_n_plus_one(void**) {
    PasswordConfig cfg;
    cfg.max_repeat = 2;
    assert_true(met(cfg, "Abb1cc!dd", "max_repeat"));
    assert_false(met(cfg, "Abbb1c!dd", "max_repeat"));
    assert_false(met(cfg, "Ab1!ééé", "max_repeat"));  // code points, not bytes
    assert_true(met(cfg, "aAaAaA1!", "max_repeat"));  // case matters for repeats
}

static void test_max_sequence_catches_runs_both_ways(void**) {
    PasswordConfig cfg;
    cfg.max_sequence = 3;
    assert_true(met(cfg, "Xabc!9x", "max_sequence"));
    assert_false(met(cfg, "Xabcd!9", "max_sequence"));
    assert_false(met(cfg, "Pw!4321x", "max_sequence"));
    assert_false(met(cfg, "aBcD!9xx", "max_sequence"));  // case-insensitive
    assert_true(met(cfg, "a1b2c3d4", "max_sequence"));   // letters and digits do not chain
    assert_true(met(cfg, "abcba!9X", "max_sequence"));   // turns start a new run
    assert_true(met(cfg, "789:;<Ab", "max_sequence"));   // symbols are not sequences
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_config_is_8_to_16_characters_and_3_classes),
        cmocka_unit_test(test_seven_characters_fail_min_length),
        cmocka_unit_test(test_eight_characters_pass_min_length),
        cmocka_unit_test(test_sixteen_characters_pass_max_length),
        cmocka_unit_test(test_seventeen_characters_fail_max_length),
        cmocka_unit_test(test_seed_boundaries_give_whole_verdict),
        cmocka_unit_test(test_two_classes_fail_classes),
        cmocka_unit_test(test_three_classes_pass_classes),
        cmocka_unit_test(test_four_classes_required_when_configured),
        cmocka_unit_test(test_length_counts_code_points_not_bytes),
        cmocka_unit_test(test_accented_capitals_count_as_uppercase),
        cmocka_unit_test(test_non_ascii_letters_are_classified_by_case),
        cmocka_unit_test(test_caseless_letters_and_other_digits_count_as_symbols),
        cmocka_unit_test(test_invalid_utf8_fails_valid_utf8),
        cmocka_unit_test(test_invalid_bytes_count_as_one_symbol_each),
        cmocka_unit_test(test_password_containing_username_fails),
        cmocka_unit_test(test_gecos_name_parts_use_first_field),
        cmocka_unit_test(test_password_containing_gecos_name_fails),
        cmocka_unit_test(test_non_ascii_name_matches_case_insensitively),
        cmocka_unit_test(test_no_username_rule_omitted_without_username_or_when_off),
        cmocka_unit_test(test_blocklisted_passwords_fail),
        cmocka_unit_test(test_checklist_lists_every_rule_in_stable_order),
        cmocka_unit_test(test_all_rules_evaluated_when_the_first_fails),
        cmocka_unit_test(test_rule_texts_follow_config),
        cmocka_unit_test(test_max_repeat_allows_n_and_refuses_n_plus_one),
        cmocka_unit_test(test_max_sequence_catches_runs_both_ways),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
