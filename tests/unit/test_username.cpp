// SPDX-License-Identifier: BSD-2-Clause
// Usernames become file names: hostile names are refused and the encoding is
// one-to-one and file-name safe.
#include <set>
#include <string>

#include "store/store.hpp"
// Last: cmocka defines macros (fail, ...) that clash with the standard headers.
#include "testutil.hpp"

using chorus::decode_username;
using chorus::encode_username;
using chorus::Errc;

namespace {

bool safe_stem(const std::string& s) {
    if (s.empty() || s[0] == '.') return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '%' || c == '-';
        if (!ok) return false;
    }
    return true;
}

void expect_rejected(const std::string& user) {
    auto r = encode_username(user);
    if (r.ok()) fail_msg("accepted hostile username (%zu bytes)", user.size());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::bad_username));
}

void expect_encoding(const std::string& user, const std::string& stem) {
    auto r = encode_username(user);
    assert_true(r.ok());
    assert_string_equal(r->c_str(), stem.c_str());
    auto back = decode_username(stem);
    assert_true(back.ok());
    assert_true(*back == user);
}

void test_plain_names_encode_unchanged(void**) {
    expect_encoding("alice", "alice");
    expect_encoding("bob.smith", "bob.smith");
    expect_encoding("svc_backup-2", "svc_backup-2");
    expect_encoding("a..b", "a..b");
}

void test_hostile_names_are_rejected(void**) {
    for (const char* u : {"../etc/shadow", "a/b", "/", "-rf", "-", "\n", "a\nb", "a\rb", "a\tb", "", ".",
                          "..", "a b", " a", "a:b", "root:x", "\x7f", "a\x1b[31m"})
        expect_rejected(u);
    expect_rejected(std::string("a\0b", 3));
    expect_rejected(std::string(300, 'a'));
    expect_rejected(std::string(257, 'a'));
}

void test_leading_dot_and_special_bytes_are_escaped(void**) {
    expect_encoding(".hidden", "%2Ehidden");
    expect_encoding("...", "%2E..");
    expect_encoding("host$", "host%24");
    expect_encoding("DOM\\user", "DOM%5Cuser");
    expect_encoding("50%", "50%25");
    expect_encoding("j\xc3\xb6rg", "j%C3%B6rg");
    expect_encoding("a@example.com", "a%40example.com");
}

void test_names_longer_than_a_file_name_allows_are_rejected(void**) {
    assert_true(encode_username(std::string(240, 'a')).ok());
    expect_rejected(std::string(241, 'a'));
    expect_rejected(std::string(100, '$'));  // 100 bytes, 300 once escaped
}

// Every one- and two-byte name over an alphabet of interesting bytes: valid
// names encode to safe stems that decode back, and no two names share a stem.
void test_encoding_is_safe_and_one_to_one(void**) {
    std::string alphabet = "aZ09_.-%$@/:\\ \n\x7f\x80\xff~";
    std::set<std::string> stems;
    std::size_t valid = 0;
    for (int i = 0; i < 256; ++i) {
        std::string u(1, static_cast<char>(i));
        for (int j = -1; j < static_cast<int>(alphabet.size()); ++j) {
            std::string name = j < 0 ? u : u + alphabet[static_cast<std::size_t>(j)];
            auto e = encode_username(name);
            if (!e.ok()) continue;
            ++valid;
            if (!safe_stem(*e)) fail_msg("unsafe stem %s", e->c_str());
            auto d = decode_username(*e);
            assert_true(d.ok());
            assert_true(*d == name);
            assert_true(stems.insert(*e).second);
        }
    }
    assert_true(valid > 1000);
}

void test_decode_rejects_non_canonical_stems(void**) {
    for (const char* s : {"%61lice", "%2ehidden", "a%2E", "%2", "%", "a%Z1", "a/b", ".x", "%2F", "a%0A", "-x",
                          "%2D", "%2E", "%2E%2E", "", "a b", "a%3Ab"}) {
        auto r = decode_username(s);
        if (r.ok()) fail_msg("decoded non-canonical stem '%s'", s);
        assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::bad_username));
    }
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_names_encode_unchanged),
        cmocka_unit_test(test_hostile_names_are_rejected),
        cmocka_unit_test(test_leading_dot_and_special_bytes_are_escaped),
        cmocka_unit_test(test_names_longer_than_a_file_name_allows_are_rejected),
        cmocka_unit_test(test_encoding_is_safe_and_one_to_one),
        cmocka_unit_test(test_decode_rejects_non_canonical_stems),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
