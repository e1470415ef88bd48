// SPDX-License-Identifier: BSD-2-Clause
// otpauth:// URIs: the exact string apps scan, parse round trips, the forms
// other generators produce, and the malformed input the parser must refuse.
// Library and standard headers first: cmocka's fail() macro breaks <ios>.
#include <cstring>
#include <string>
#include <vector>

#include "otp/otpauth_uri.hpp"
#include "otp/uri_text.hpp"
#include "testutil.hpp"

using namespace chorus;

namespace {

SecretBytes key_of(const char* s) {
    return SecretBytes(s, s + std::strlen(s));
}

const char* const kKey20 = "12345678901234567890";  // GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

OtpauthUri parse_ok(std::string_view s) {
    auto r = parse_otpauth_uri(s);
    if (!r.ok())
        fail_msg("refused \"%.*s\": %s", static_cast<int>(s.size()), s.data(), r.error().message.c_str());
    return std::move(r).value();
}

void assert_refused(std::string_view s) {
    auto r = parse_otpauth_uri(s);
    if (r.ok())
        fail_msg("accepted malformed \"%.*s\"", static_cast<int>(s.size() > 200 ? 200 : s.size()), s.data());
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::invalid_argument));
}

void test_build_exact_uri_with_space_colon_at_and_utf8(void** /*state*/) {
    auto uri = make_otpauth_uri("B\xc3\xbcro: ACME", "j\xc3\xbcrgen@example.com", key_of(kKey20));
    assert_true(uri.ok());
    assert_string_equal(uri->c_str(),
                        "otpauth://totp/B%C3%BCro%3A%20ACME:j%C3%BCrgen%40example.com"
                        "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=B%C3%BCro%3A%20ACME"
                        "&algorithm=SHA1&digits=6&period=30");
}

void test_build_sha256_8_digits_60_seconds(void** /*state*/) {
    auto uri = make_otpauth_uri("ACME", "bob", key_of(kKey20), TotpParams{HashAlgorithm::sha256, 8, 60});
    assert_true(uri.ok());
    assert_string_equal(uri->c_str(),
                        "otpauth://totp/ACME:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"
                        "&algorithm=SHA256&digits=8&period=60");
}

void test_build_without_issuer_has_no_issuer_parameter(void** /*state*/) {
    auto uri = make_otpauth_uri("", "bob smith", key_of(kKey20));
    assert_true(uri.ok());
    assert_string_equal(uri->c_str(),
                        "otpauth://totp/bob%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                        "&algorithm=SHA1&digits=6&period=30");
}

void test_build_refuses_bad_input(void** /*state*/) {
    const SecretBytes key = key_of(kKey20);
    assert_false(make_otpauth_uri("ACME", "", key).ok());                     // empty account
    assert_false(make_otpauth_uri("", "a:b", key).ok());                      // would read back as issuer a
    assert_false(make_otpauth_uri("ACME", "bob\n", key).ok());                // control character
    assert_false(make_otpauth_uri("AC\x1b[31mME", "bob", key).ok());          // terminal escape
    assert_false(make_otpauth_uri("ACME", "b\xc2\x9bob", key).ok());          // C1 control (CSI)
    assert_false(make_otpauth_uri("ACME", "b\xffob", key).ok());              // not UTF-8
    assert_false(make_otpauth_uri("ACME", std::string(257, 'a'), key).ok());  // too long
    assert_false(make_otpauth_uri("ACME", "bob", key_of("short")).ok());      // 5-byte key
    assert_false(make_otpauth_uri("ACME", "bob", key, TotpParams{HashAlgorithm::sha1, 9, 30}).ok());
    assert_false(make_otpauth_uri("ACME", "bob", key, TotpParams{HashAlgorithm::sha1, 6, 0}).ok());
}

void test_parse_round_trips_what_we_build(void** /*state*/) {
    OtpauthUri u;
    u.issuer = "B\xc3\xbcro: ACME & Co/100%";
    u.account = "j\xc3\xbcrgen+x@example.com?#";
    u.secret = key_of("1234567890123456789012345678901234567890123456789012345678901234");
    u.algorithm = HashAlgorithm::sha512;
    u.digits = 7;
    u.period = 45;
    for (OtpType t : {OtpType::totp, OtpType::hotp}) {
        u.type = t;
        u.counter = t == OtpType::hotp ? UINT64_MAX : 0;
        auto s = build_otpauth_uri(u);
        assert_true(s.ok());
        const OtpauthUri b = parse_ok(s->view());
        assert_true(b.type == t);
        assert_string_equal(b.issuer.c_str(), u.issuer.c_str());
        assert_string_equal(b.account.c_str(), u.account.c_str());
        assert_true(b.secret == u.secret);
        assert_true(b.algorithm == HashAlgorithm::sha512);
        assert_int_equal(b.digits, 7);
        if (t == OtpType::totp) assert_int_equal(b.period, 45);
        if (t == OtpType::hotp) assert_true(b.counter == UINT64_MAX);
    }
}

void test_parse_google_key_uri_example_with_defaults(void** /*state*/) {
    const OtpauthUri u =
        parse_ok("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    assert_string_equal(u.issuer.c_str(), "Example");
    assert_string_equal(u.account.c_str(), "alice@google.com");
    assert_int_equal(u.secret.size(), 10);  // 80-bit keys from other issuers import
    assert_memory_equal(u.secret.data(), "Hello!\xde\xad\xbe\xef", 10);
    assert_true(u.algorithm == HashAlgorithm::sha1);
    assert_int_equal(u.digits, 6);
    assert_int_equal(u.period, 30);
}

void test_parse_accepts_other_generators_spellings(void** /*state*/) {
    // Encoded colon, case-insensitive scheme/type/names, lowercase secret,
    // leading spaces before the account, unknown parameters, a fragment.
    OtpauthUri u = parse_ok(
        "OTPAUTH://TOTP/Example%3A%20%20alice?Secret=jbswy3dpehpk3pxp&ALGORITHM=sha-256"
        "&image=https%3A%2F%2Fexample.com%2Fx.png&color=red&&#frag");
    assert_string_equal(u.issuer.c_str(), "Example");
    assert_string_equal(u.account.c_str(), "alice");
    assert_true(u.algorithm == HashAlgorithm::sha256);
    u = parse_ok("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Example");  // issuer only as parameter
    assert_string_equal(u.issuer.c_str(), "Example");
    assert_string_equal(u.account.c_str(), "alice");
    u = parse_ok("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP");  // no issuer at all
    assert_string_equal(u.issuer.c_str(), "");
    u = parse_ok("otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGE%3D%3D%3D%3D%3D%3D");  // padded, encoded '='
    assert_memory_equal(u.secret.data(), "12345678901", 11);
    u = parse_ok("otpauth://totp/a?secret=GEZDGNBVGY3TQOJQGE======");  // padded, raw '='
    assert_int_equal(u.secret.size(), 11);
    u = parse_ok("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=0&period=0");  // period ignored for hotp
    assert_true(u.type == OtpType::hotp);
    assert_true(u.counter == 0);
}

void test_parse_refuses_bad_structure(void** /*state*/) {
    for (const char* s :
         {"", "otpauth:/", "otpauth://", "http://totp/a?secret=JBSWY3DPEHPK3PXP", "otpauth://totp",
          "otpauth://totp?secret=JBSWY3DPEHPK3PXP", "otpauth://motp/a?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/Example:?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/Example:%20?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits", "otpauth://totp/a b?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/a\tb?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/j\xc3\xbcrgen?secret=JBSWY3DPEHPK3PXP"}) {
        assert_refused(s);
    }
    assert_refused(std::string_view("otpauth://totp/a\0b?secret=JBSWY3DPEHPK3PXP", 41));
}

void test_parse_refuses_bad_secret(void** /*state*/) {
    for (const char* s : {"otpauth://totp/a", "otpauth://totp/a?issuer=x", "otpauth://totp/a?secret=",
                          "otpauth://totp/a?secret=MZXW6YTBOI",         // 6 bytes: too short
                          "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",   // '1' is not base32
                          "otpauth://totp/a?secret=JBSWY3DPEHPK3PXPM",  // impossible length
                          "otpauth://totp/a?secret=JBSWY3DP%EHPK3PXP"}) {
        assert_refused(s);
    }
    std::string huge = "otpauth://totp/a?secret=" + std::string(208, 'A');  // 130 bytes
    assert_refused(huge);
}

void test_parse_refuses_malformed_percent_escapes(void** /*state*/) {
    for (const char* s :
         {"otpauth://totp/a%?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/a%4?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/a%G1?secret=JBSWY3DPEHPK3PXP", "otpauth://totp/%:a?secret=JBSWY3DPEHPK3PXP",
          "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&image=%zz",
          "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=%",
          "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&%=1"}) {
        assert_refused(s);
    }
}

void test_parse_refuses_duplicate_parameters(void** /*state*/) {
    assert_refused("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_refused("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=x&Issuer=x");
    assert_refused("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6&digits=6");
    assert_refused("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&%73ecret=JBSWY3DPEHPK3PXP");  // encoded name
}

void test_parse_refuses_out_of_range_parameters(void** /*state*/) {
    const std::string base = "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&";
    for (const char* p : {"algorithm=MD5", "algorithm=", "digits=5", "digits=9", "digits=6a", "digits=",
                          "digits=-6", "digits=+6", "digits=99999999999999999999999", "period=0", "period=14",
                          "period=301", "period=-30", "period=30s", "period=18446744073709551646"}) {
        assert_refused(base + p);
    }
    assert_refused("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP");  // hotp needs a counter
    assert_refused("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=-1");
    assert_refused("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551616");
    assert_refused("otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=");
}

void test_parse_refuses_issuer_mismatch_and_unsafe_names(void** /*state*/) {
    assert_refused("otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Evil");
    assert_refused("otpauth://totp/ali%0Ace?secret=JBSWY3DPEHPK3PXP");            // newline
    assert_refused("otpauth://totp/ali%1B%5B2Jce?secret=JBSWY3DPEHPK3PXP");       // ESC [2J
    assert_refused("otpauth://totp/ali%00ce?secret=JBSWY3DPEHPK3PXP");            // NUL
    assert_refused("otpauth://totp/ali%FFce?secret=JBSWY3DPEHPK3PXP");            // not UTF-8
    assert_refused("otpauth://totp/ali%C0%AFce?secret=JBSWY3DPEHPK3PXP");         // overlong '/'
    assert_refused("otpauth://totp/ali%ED%A0%80ce?secret=JBSWY3DPEHPK3PXP");      // surrogate
    assert_refused("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=%C2%9B31m");  // C1 CSI
    assert_refused("otpauth://totp/" + std::string(257, 'a') + "?secret=JBSWY3DPEHPK3PXP");
    // Empty issuer prefix with an encoded colon in the account: would not
    // read back the same way once rebuilt.
    assert_refused("otpauth://totp/:a%3Ab?secret=JBSWY3DPEHPK3PXP");
    assert_true(parse_otpauth_uri("otpauth://totp/:a%3Ab?secret=JBSWY3DPEHPK3PXP&issuer=X").ok());
}

void test_parse_refuses_uri_over_4096_bytes(void** /*state*/) {
    std::string s = "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&x=";
    s.append(kMaxOtpauthUriBytes - s.size(), 'y');
    parse_ok(s);  // exactly the limit is fine
    s.push_back('y');
    assert_refused(s);
    assert_refused(std::string(1 << 20, 'a'));
}

void test_parse_survives_random_mutations(void** /*state*/) {
    // A poor man's fuzzer so every `ctest` run exercises the error paths
    // (tests/fuzz/ has the real libFuzzer target); run under ASan/UBSan in CI.
    const std::string seed =
        "otpauth://hotp/B%C3%BCro%3A%20ACME:j%C3%BCrgen%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=B%C3%BCro%3A%20ACME&algorithm=SHA1&digits=6&counter=42";
    const char alphabet[] = "%:?&=#/AZaz09+- \x00\xff";
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s = seed;
        std::uint32_t r[4];
        assert_true(random_bytes(r, sizeof r));
        const std::size_t pos = r[0] % (s.size() + 1);
        const char c = alphabet[r[1] % (sizeof alphabet - 1)];
        switch (r[2] % 3) {
        case 0:
            if (pos < s.size()) s[pos] = c;
            break;
        case 1:
            s.insert(pos, 1, c);
            break;
        default:
            s.erase(pos, r[3] % 8);
            break;
        }
        auto u = parse_otpauth_uri(s);
        if (u.ok()) {
            ++accepted;
            auto again = build_otpauth_uri(*u);  // whatever parses must rebuild
            assert_true(again.ok());
        }
    }
    assert_true(accepted > 0);
}

void test_percent_helpers(void** /*state*/) {
    assert_string_equal(percent_encode("a b+c/~_.-").c_str(), "a%20b%2Bc%2F~_.-");
    auto d = percent_decode("a%20b+%2f");
    assert_true(d.ok());
    assert_string_equal(d->c_str(), "a b+/");
    assert_false(percent_decode("%2").ok());
    assert_true(is_valid_utf8("\xf0\x9f\x94\x91"));
    assert_false(is_valid_utf8("\xf0\x9f\x94"));
    assert_false(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_exact_uri_with_space_colon_at_and_utf8),
        cmocka_unit_test(test_build_sha256_8_digits_60_seconds),
        cmocka_unit_test(test_build_without_issuer_has_no_issuer_parameter),
        cmocka_unit_test(test_build_refuses_bad_input),
        cmocka_unit_test(test_parse_round_trips_what_we_build),
        cmocka_unit_test(test_parse_google_key_uri_example_with_defaults),
        cmocka_unit_test(test_parse_accepts_other_generators_spellings),
        cmocka_unit_test(test_parse_refuses_bad_structure),
        cmocka_unit_test(test_parse_refuses_bad_secret),
        cmocka_unit_test(test_parse_refuses_malformed_percent_escapes),
        cmocka_unit_test(test_parse_refuses_duplicate_parameters),
        cmocka_unit_test(test_parse_refuses_out_of_range_parameters),
        cmocka_unit_test(test_parse_refuses_issuer_mismatch_and_unsafe_names),
        cmocka_unit_test(test_parse_refuses_uri_over_4096_bytes),
        cmocka_unit_test(test_parse_survives_random_mutations),
        cmocka_unit_test(test_percent_helpers),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
