// SPDX-License-Identifier: BSD-2-Clause
// base32 (RFC 4648 section 6) as used for TOTP keys: the RFC vectors, round
// trips of every length, the tolerance a person pasting a key needs, and the
// strictness that catches typos.
// Library and standard headers first: cmocka's fail() macro breaks <ios>.
#include <cstring>
#include <string>

#include "otp/base32.hpp"
#include "testutil.hpp"

using namespace chorus;

namespace {

std::string enc(std::string_view s, bool pad) {
    const SecretString e = base32_encode(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), pad);
    return std::string(e.view());
}

std::string dec(std::string_view s) {
    auto r = base32_decode(s);
    assert_true(r.ok());
    return std::string(r->begin(), r->end());
}

void assert_rejected(std::string_view s) {
    auto r = base32_decode(s);
    if (r.ok()) fail_msg("accepted invalid base32 \"%.*s\"", static_cast<int>(s.size()), s.data());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::invalid_argument));
    assert_true(std::strncmp(r.error().message.c_str(), "base32: ", 8) == 0);
}

struct Vector {
    const char* plain;
    const char* padded;
    const char* unpadded;
};

const Vector kRfc4648[] = {
    {"", "", ""},
    {"f", "MY======", "MY"},
    {"fo", "MZXQ====", "MZXQ"},
    {"foo", "MZXW6===", "MZXW6"},
    {"foob", "MZXW6YQ=", "MZXW6YQ"},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
};

void test_rfc4648_vectors_encode(void** /*state*/) {
    for (const auto& v : kRfc4648) {
        assert_string_equal(enc(v.plain, true).c_str(), v.padded);
        assert_string_equal(enc(v.plain, false).c_str(), v.unpadded);
    }
}

void test_rfc4648_vectors_decode_padded_and_unpadded(void** /*state*/) {
    for (const auto& v : kRfc4648) {
        assert_string_equal(dec(v.padded).c_str(), v.plain);
        assert_string_equal(dec(v.unpadded).c_str(), v.plain);
    }
}

void test_round_trip_random_data_of_every_length_0_to_64(void** /*state*/) {
    for (std::size_t n = 0; n <= 64; ++n) {
        SecretBytes data(n);
        assert_true(random_bytes(data.data(), data.size()));
        for (bool pad : {false, true}) {
            const SecretString e = base32_encode(data, pad);
            assert_int_equal(e.size() % 8 == 0 || !pad, 1);
            auto back = base32_decode(e.view());
            assert_true(back.ok());
            assert_true(*back == data);
        }
    }
}

void test_decode_tolerates_lowercase_spaces_and_hyphens(void** /*state*/) {
    assert_string_equal(dec("mzxw6ytboi").c_str(), "foobar");
    assert_string_equal(dec("MzXw 6YtB oI").c_str(), "foobar");
    assert_string_equal(dec("mzxw-6ytb-oi======").c_str(), "foobar");
    assert_string_equal(dec("  MZXW6YTBOI  ").c_str(), "foobar");
    assert_string_equal(dec("MZXW6YTBOI====== ").c_str(), "foobar");
    assert_string_equal(dec("\tMZXW\t6YTBOI").c_str(), "foobar");
}

void test_decode_rejects_characters_outside_the_alphabet(void** /*state*/) {
    for (const char* s : {"MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW6YT9", "MZXW.YTB", "MZXW_YTB", "MZXW\nYTB",
                          "MZXW6YTB+", "MZXW\xc3\xa9YTB"}) {
        assert_rejected(s);
    }
    assert_rejected(std::string_view("MZXW\0YTB", 8));
}

void test_decode_rejects_impossible_lengths(void** /*state*/) {
    // 1, 3 and 6 symbols (mod 8) are not the encoding of any byte string.
    for (const char* s : {"M", "MZX", "MZXW6Y", "MZXW6YTBM", "MZXW6YTBMZX"}) assert_rejected(s);
}

void test_decode_rejects_nonzero_trailing_bits(void** /*state*/) {
    // "MY" is "f"; "MZ" sets a bit that falls off the end.
    assert_rejected("MZ");
    assert_rejected("MZXR");
    assert_rejected("MZXW7");
    assert_rejected("MZXW6YR");
}

void test_decode_rejects_wrong_padding(void** /*state*/) {
    for (const char* s : {"MY=", "MY=====", "MY=======", "MZXW6YTB========", "========", "MY==MY==", "=MY",
                          "MZXW6YTBOI=====" /* 5, needs 6 */}) {
        assert_rejected(s);
    }
}

void test_group_base32_inserts_spaces(void** /*state*/) {
    assert_string_equal(group_base32("ABCDEFGHIJ").c_str(), "ABCD EFGH IJ");
    assert_string_equal(group_base32("ABCDEFGH").c_str(), "ABCD EFGH");
    assert_string_equal(group_base32("ABCDEF", 3).c_str(), "ABC DEF");
    assert_string_equal(group_base32("").c_str(), "");
    assert_string_equal(group_base32("ABCD", 0).c_str(), "ABCD");
    // What we print for a person to type, we accept back.
    assert_string_equal(dec(group_base32("MZXW6YTBOI")).c_str(), "foobar");
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_encode),
        cmocka_unit_test(test_rfc4648_vectors_decode_padded_and_unpadded),
        cmocka_unit_test(test_round_trip_random_data_of_every_length_0_to_64),
        cmocka_unit_test(test_decode_tolerates_lowercase_spaces_and_hyphens),
        cmocka_unit_test(test_decode_rejects_characters_outside_the_alphabet),
        cmocka_unit_test(test_decode_rejects_impossible_lengths),
        cmocka_unit_test(test_decode_rejects_nonzero_trailing_bits),
        cmocka_unit_test(test_decode_rejects_wrong_padding),
        cmocka_unit_test(test_group_base32_inserts_spaces),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
