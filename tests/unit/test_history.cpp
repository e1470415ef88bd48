// SPDX-License-Identifier: BSD-2-Clause
// Password history: argon2id hashing and verification, rehash detection, and
// the change/reset reuse policy. Small argon2 parameters keep this fast.
// Library and standard headers come before testutil.hpp: cmocka defines a
// fail() macro that breaks <ios> if it is seen first.
#include <string>
#include <vector>

#include "password/history.hpp"
#include "testutil.hpp"

using namespace chorus;

namespace {

Argon2Config small_argon2() {
    Argon2Config a;
    a.m_cost_kib = 8192;
    a.t_cost = 1;
    a.parallelism = 1;
    return a;
}

HistoryConfig history_cfg(int remember, bool reset_allows_last = true) {
    HistoryConfig h;
    h.remember = remember;
    h.reset_allows_last = reset_allows_last;
    h.argon2 = small_argon2();
    return h;
}

std::string hash_of(std::string_view pw, const Argon2Config& a = small_argon2()) {
    auto r = hash_password(a, pw);
    if (!r.ok()) fail_msg("hash_password: %s", r.error().message.c_str());
    return std::move(r).value();
}

bool reused(const std::vector<std::string>& h, std::string_view pw, const HistoryConfig& cfg, bool reset) {
    auto r = history_contains(h, pw, cfg, reset);
    if (!r.ok()) fail_msg("history_contains: %s", r.error().message.c_str());
    return *r;
}

// Pushes each password in order (oldest first), as successive changes would.
std::vector<std::string> history_of(std::initializer_list<const char*> oldest_first,
                                    const HistoryConfig& cfg) {
    std::vector<std::string> h;
    for (const char* pw : oldest_first) {
        auto r = history_push(std::move(h), pw, cfg);
        if (!r.ok()) fail_msg("history_push: %s", r.error().message.c_str());
        h = std::move(r).value();
    }
    return h;
}

}  // namespace

static void test_hash_is_argon2id_with_configured_parameters(void**) {
    const std::string h = hash_of("Correct horse 1");
    assert_true(h.rfind("$argon2id$v=19$m=8192,t=1,p=1$", 0) == 0);
    assert_int_equal(h.find('\0'), std::string::npos);
    assert_false(needs_rehash(h, small_argon2()));
}

static void test_same_password_hashes_differently_each_time(void**) {
    assert_string_not_equal(hash_of("Correct horse 1").c_str(), hash_of("Correct horse 1").c_str());
}

static void test_verify_accepts_right_and_refuses_wrong_password(void**) {
    const std::string h = hash_of("Pässwörd12");
    auto ok = verify_password(h, "Pässwörd12");
    assert_true(ok.ok() && *ok);
    auto bad = verify_password(h, "Pässwörd13");
    assert_true(bad.ok());
    assert_false(*bad);
    auto empty = verify_password(h, "");
    assert_true(empty.ok());
    assert_false(*empty);
}

static void test_verify_refuses_strings_that_are_not_argon2id(void**) {
    std::string h = hash_of("pw");
    std::string argon2i = h;
    argon2i.replace(0, 9, "$argon2i");
    const std::string bad[] = {
        "",
        "$6$saltsalt$0123456789abcdef",  // sha512-crypt
        "$1$salt$hash",                  // MD5-crypt
        argon2i,
        h.substr(0, h.size() - 10) + "!!!!!!!!!!",
        h + "$extra",
        "$argon2id$v=16$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
    };
    for (const auto& s : bad) {
        auto r = verify_password(s, "pw");
        if (r.ok()) fail_msg("accepted %s", s.c_str());
        assert_int_equal(r.code(), Errc::corrupt);
    }
}

static void test_verify_refuses_huge_cost_without_running_it(void**) {
    // A tampered entry must not make a login allocate 100 GB or spin forever.
    std::string h = hash_of("pw");
    std::string huge_m = h;
    huge_m.replace(huge_m.find("m=8192"), 6, "m=99999999");
    std::string huge_t = h;
    huge_t.replace(huge_t.find("t=1,"), 4, "t=100000,");
    for (const auto& s : {huge_m, huge_t}) {
        auto r = verify_password(s, "pw");
        assert_false(r.ok());
        assert_int_equal(r.code(), Errc::corrupt);
    }
}

static void test_hash_made_with_other_parameters_still_verifies(void**) {
    Argon2Config other = small_argon2();
    other.m_cost_kib = 16384;
    other.t_cost = 2;
    other.parallelism = 2;
    const std::string h = hash_of("Old params 1!", other);
    auto r = verify_password(h, "Old params 1!");
    assert_true(r.ok() && *r);
    assert_true(needs_rehash(h, small_argon2()));
    assert_false(needs_rehash(h, other));
}

static void test_needs_rehash_when_any_parameter_changes(void**) {
    const std::string h = hash_of("pw");
    Argon2Config a = small_argon2();
    a.m_cost_kib = 16384;
    assert_true(needs_rehash(h, a));
    a = small_argon2();
    a.t_cost = 2;
    assert_true(needs_rehash(h, a));
    a = small_argon2();
    a.parallelism = 2;
    assert_true(needs_rehash(h, a));
    assert_true(needs_rehash("not a hash", small_argon2()));
}

static void test_change_refuses_last_password(void**) {
    HistoryConfig cfg = history_cfg(1);
    auto h = history_of({"First pw 1!"}, cfg);
    assert_true(reused(h, "First pw 1!", cfg, false));
    assert_false(reused(h, "Second pw 2!", cfg, false));
}

static void test_reset_allows_last_password(void**) {
    HistoryConfig cfg = history_cfg(1);
    auto h = history_of({"First pw 1!"}, cfg);
    assert_false(reused(h, "First pw 1!", cfg, true));
}

static void test_reset_refuses_last_password_when_configured(void**) {
    HistoryConfig cfg = history_cfg(1, false);
    auto h = history_of({"First pw 1!"}, cfg);
    assert_true(reused(h, "First pw 1!", cfg, true));
}

static void test_remember_three_refuses_three_newest_and_allows_fourth(void**) {
    HistoryConfig cfg = history_cfg(3);
    auto h = history_of({"pw-1", "pw-2", "pw-3", "pw-4"}, cfg);
    assert_int_equal(h.size(), 3);
    assert_false(reused(h, "pw-1", cfg, false));  // dropped when pw-4 came in
    assert_true(reused(h, "pw-2", cfg, false));
    assert_true(reused(h, "pw-3", cfg, false));
    assert_true(reused(h, "pw-4", cfg, false));
}

static void test_only_remember_entries_count_even_if_more_are_stored(void**) {
    HistoryConfig keep4 = history_cfg(4);
    auto h = history_of({"pw-1", "pw-2", "pw-3", "pw-4"}, keep4);
    assert_int_equal(h.size(), 4);
    HistoryConfig cfg = history_cfg(3);  // admin lowered remember
    assert_false(reused(h, "pw-1", cfg, false));
    assert_true(reused(h, "pw-2", cfg, false));
}

static void test_reset_with_remember_three_skips_only_newest(void**) {
    HistoryConfig cfg = history_cfg(3);
    auto h = history_of({"pw-1", "pw-2", "pw-3"}, cfg);
    assert_false(reused(h, "pw-3", cfg, true));
    assert_true(reused(h, "pw-2", cfg, true));
    assert_true(reused(h, "pw-1", cfg, true));
}

static void test_push_puts_newest_first_and_trims(void**) {
    HistoryConfig cfg = history_cfg(2);
    auto h = history_of({"a-1", "b-2", "c-3"}, cfg);
    assert_int_equal(h.size(), 2);
    auto newest = verify_password(h[0], "c-3");
    assert_true(newest.ok() && *newest);
    auto older = verify_password(h[1], "b-2");
    assert_true(older.ok() && *older);
}

static void test_remember_zero_disables_history(void**) {
    HistoryConfig cfg = history_cfg(0);
    auto h = history_of({"a-1", "b-2"}, cfg);
    assert_true(h.empty());
    std::vector<std::string> old{hash_of("a-1")};
    assert_false(reused(old, "a-1", cfg, false));
    assert_false(history_rule_applies(cfg, false));
}

static void test_corrupt_history_entry_is_an_error(void**) {
    HistoryConfig cfg = history_cfg(2);
    std::vector<std::string> h{"garbage", hash_of("a-1")};
    auto r = history_contains(h, "a-1", cfg, false);
    assert_false(r.ok());
    assert_int_equal(r.code(), Errc::corrupt);
}

static void test_out_of_range_argon2_config_is_refused(void**) {
    Argon2Config a = small_argon2();
    a.t_cost = 0;
    auto r = hash_password(a, "pw");
    assert_false(r.ok());
    assert_int_equal(r.code(), Errc::config);
}

static void test_history_rule_text_follows_mode_and_config(void**) {
    Checklist list;
    add_history_rule(list, history_cfg(1), false, true);
    assert_int_equal(list.rules.size(), 1);
    assert_string_equal(list.rules[0].id.c_str(), "history");
    assert_string_equal(list.rules[0].text.c_str(), "Not your last password");
    assert_false(list.rules[0].met);
    add_history_rule(list, history_cfg(1), true, false);  // reset may reuse the only one: no rule
    assert_int_equal(list.rules.size(), 1);
    add_history_rule(list, history_cfg(5), false, false);
    assert_string_equal(list.rules[1].text.c_str(), "Not one of your last 5 passwords");
    assert_true(list.rules[1].met);
    add_history_rule(list, history_cfg(5), true, false);
    assert_string_equal(list.rules[2].text.c_str(),
                        "Not one of your previous 5 passwords (the last one is allowed)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_is_argon2id_with_configured_parameters),
        cmocka_unit_test(test_same_password_hashes_differently_each_time),
        cmocka_unit_test(test_verify_accepts_right_and_refuses_wrong_password),
        cmocka_unit_test(test_verify_refuses_strings_that_are_not_argon2id),
        cmocka_unit_test(test_verify_refuses_huge_cost_without_running_it),
        cmocka_unit_test(test_hash_made_with_other_parameters_still_verifies),
        cmocka_unit_test(test_needs_rehash_when_any_parameter_changes),
        cmocka_unit_test(test_change_refuses_last_password),
        cmocka_unit_test(test_reset_allows_last_password),
        cmocka_unit_test(test_reset_refuses_last_password_when_configured),
        cmocka_unit_test(test_remember_three_refuses_three_newest_and_allows_fourth),
        cmocka_unit_test(test_only_remember_entries_count_even_if_more_are_stored),
        cmocka_unit_test(test_reset_with_remember_three_skips_only_newest),
        cmocka_unit_test(test_push_puts_newest_first_and_trims),
        cmocka_unit_test(test_remember_zero_disables_history),
        cmocka_unit_test(test_corrupt_history_entry_is_an_error),
        cmocka_unit_test(test_out_of_range_argon2_config_is_refused),
        cmocka_unit_test(test_history_rule_text_follows_mode_and_config),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
