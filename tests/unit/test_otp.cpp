// SPDX-License-Identifier: BSD-2-Clause
// HOTP/TOTP: the RFC 4226 and RFC 6238 vectors, totp_match's window and
// input handling, key generation, and a cross-check against oathtool.
// Library and standard headers come before testutil.hpp: cmocka defines a
// fail() macro that breaks <ios> if it is seen first.
#include <cstring>
#include <string>

#include "otp/base32.hpp"
#include "otp/hotp.hpp"
#include "otp/secret.hpp"
#include "testutil.hpp"

using namespace chorus;

namespace {

const std::uint8_t* bytes(const char* s) {
    return reinterpret_cast<const std::uint8_t*>(s);
}

// RFC 6238 Appendix B uses a key of the digest size for each algorithm.
const char* const kKey20 = "12345678901234567890";
const char* const kKey32 = "12345678901234567890123456789012";
const char* const kKey64 = "1234567890123456789012345678901234567890123456789012345678901234";

std::string code_of(HashAlgorithm alg, const char* key, std::uint64_t counter, int digits) {
    auto r = hotp(alg, bytes(key), std::strlen(key), counter, digits);
    assert_true(r.ok());
    return std::string(r->view());
}

struct TotpVector {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
};

const TotpVector kRfc6238[] = {
    {59, "94287082", "46119246", "90693936"},         {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"}, {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"}, {20000000000, "65353130", "77737706", "47863826"},
};

void test_rfc4226_appendix_d_hotp_values(void** /*state*/) {
    const char* const expected[] = {"755224", "287082", "359152", "969429", "338314",
                                    "254676", "287922", "162583", "399871", "520489"};
    for (std::uint64_t c = 0; c < 10; ++c) {
        assert_string_equal(code_of(HashAlgorithm::sha1, kKey20, c, 6).c_str(), expected[c]);
    }
}

void test_rfc6238_sha1_vectors(void** /*state*/) {
    for (const auto& v : kRfc6238) {
        assert_string_equal(code_of(HashAlgorithm::sha1, kKey20, totp_step(v.time, 30), 8).c_str(), v.sha1);
    }
}

void test_rfc6238_sha256_vectors(void** /*state*/) {
    for (const auto& v : kRfc6238) {
        assert_string_equal(code_of(HashAlgorithm::sha256, kKey32, totp_step(v.time, 30), 8).c_str(),
                            v.sha256);
    }
}

void test_rfc6238_sha512_vectors(void** /*state*/) {
    for (const auto& v : kRfc6238) {
        assert_string_equal(code_of(HashAlgorithm::sha512, kKey64, totp_step(v.time, 30), 8).c_str(),
                            v.sha512);
    }
}

void test_hotp_rejects_digits_outside_6_to_8(void** /*state*/) {
    for (int d : {-1, 0, 5, 9, 10}) {
        auto r = hotp(HashAlgorithm::sha1, bytes(kKey20), 20, 0, d);
        assert_false(r.ok());
        assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::invalid_argument));
    }
    // 7 digits is the 8-digit value's last 7 (both are bin mod 10^n).
    assert_string_equal(code_of(HashAlgorithm::sha1, kKey20, 1, 7).c_str(), "4287082");
}

void test_hotp_zero_pads_short_values(void** /*state*/) {
    // RFC 6238 at T=1111111109 is 07081804: the leading zero must survive.
    assert_string_equal(code_of(HashAlgorithm::sha1, kKey20, totp_step(1111111109, 30), 8).c_str(),
                        "07081804");
    assert_string_equal(code_of(HashAlgorithm::sha1, kKey20, totp_step(1111111109, 30), 6).c_str(), "081804");
}

void test_algorithm_names_parse_and_print(void** /*state*/) {
    assert_true(parse_algorithm("sha1") == HashAlgorithm::sha1);
    assert_true(parse_algorithm("SHA-256") == HashAlgorithm::sha256);
    assert_true(parse_algorithm("Sha512") == HashAlgorithm::sha512);
    assert_false(parse_algorithm("md5").has_value());
    assert_false(parse_algorithm("").has_value());
    assert_false(parse_algorithm("sha1sha1sha1").has_value());
    assert_string_equal(algorithm_name(HashAlgorithm::sha256), "SHA256");
    assert_int_equal(algorithm_digest_size(HashAlgorithm::sha512), 64);
}

// ---- totp_match ----

const TotpParams kP8{HashAlgorithm::sha1, 8, 30};
constexpr std::uint64_t kStep = 1234567890 / 30;  // 41152263, code 89005924

void test_totp_match_accepts_code_inside_window(void** /*state*/) {
    auto m = totp_match(kP8, bytes(kKey20), 20, "89005924", kStep, 1);
    assert_true(m.has_value());
    assert_int_equal(*m, kStep);
    // One step late and one step early are both inside a window of 1.
    m = totp_match(kP8, bytes(kKey20), 20, "89005924", kStep + 1, 1);
    assert_true(m.has_value());
    assert_int_equal(*m, kStep);
    m = totp_match(kP8, bytes(kKey20), 20, "89005924", kStep - 1, 1);
    assert_true(m.has_value());
    assert_int_equal(*m, kStep);
}

void test_totp_match_refuses_code_outside_window(void** /*state*/) {
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep + 2, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep - 2, 1).has_value());
}

void test_totp_match_window_zero_is_current_step_only(void** /*state*/) {
    assert_true(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep, 0).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep + 1, 0).has_value());
}

void test_totp_match_near_step_zero_does_not_wrap(void** /*state*/) {
    // Step 1 (T=59) has 94287082; with step_now 0 and window 3 the range must
    // be 0..3, not wrap to 2^64-3.
    auto m = totp_match(kP8, bytes(kKey20), 20, "94287082", 0, 3);
    assert_true(m.has_value());
    assert_int_equal(*m, 1);
    // The code of step 2^64-1 must not match at step 0 through wrap-around.
    const std::string top = code_of(HashAlgorithm::sha1, kKey20, UINT64_MAX, 8);
    assert_false(totp_match(kP8, bytes(kKey20), 20, top, 0, 3).has_value());
    // And the top end saturates instead of wrapping to 0.
    auto t = totp_match(kP8, bytes(kKey20), 20, top, UINT64_MAX, 2);
    assert_true(t.has_value());
    assert_true(*t == UINT64_MAX);
}

void test_totp_match_refuses_wrong_length(void** /*state*/) {
    assert_false(totp_match(kP8, bytes(kKey20), 20, "9005924", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "890059240", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924 ", kStep, 1).has_value());
}

void test_totp_match_refuses_non_digits(void** /*state*/) {
    assert_false(totp_match(kP8, bytes(kKey20), 20, "8900592a", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "+9005924", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "xxxxxxxx", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, std::string_view("8900\0924", 8), kStep, 1).has_value());
}

void test_totp_match_refuses_10kb_input(void** /*state*/) {
    std::string big(10240, '8');
    std::memcpy(big.data(), "89005924", 8);  // a valid code as prefix must not help
    assert_false(totp_match(kP8, bytes(kKey20), 20, big, kStep, 1).has_value());
}

void test_totp_match_refuses_empty_code(void** /*state*/) {
    assert_false(totp_match(kP8, bytes(kKey20), 20, "", kStep, 1).has_value());
}

void test_totp_match_refuses_bad_params(void** /*state*/) {
    TotpParams p = kP8;
    p.digits = 9;
    assert_false(totp_match(p, bytes(kKey20), 20, "089005924", kStep, 1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep, -1).has_value());
    assert_false(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep, kMaxTotpWindow + 1).has_value());
    assert_true(totp_match(kP8, bytes(kKey20), 20, "89005924", kStep, kMaxTotpWindow).has_value());
}

void test_totp_match_sha256_and_sha512(void** /*state*/) {
    const TotpParams p256{HashAlgorithm::sha256, 8, 30};
    const TotpParams p512{HashAlgorithm::sha512, 8, 30};
    assert_true(totp_match(p256, bytes(kKey32), 32, "91819424", kStep, 1).has_value());
    assert_true(totp_match(p512, bytes(kKey64), 64, "93441116", kStep, 1).has_value());
    // The SHA1 code is not accepted under SHA256.
    assert_false(totp_match(p256, bytes(kKey32), 32, "89005924", kStep, 1).has_value());
}

// ---- generate_secret ----

void test_generate_secret_default_lengths_follow_digest(void** /*state*/) {
    auto a = generate_secret(HashAlgorithm::sha1);
    auto b = generate_secret(HashAlgorithm::sha256, 0);
    auto c = generate_secret(HashAlgorithm::sha512);
    assert_true(a.ok() && b.ok() && c.ok());
    assert_int_equal(a->size(), 20);
    assert_int_equal(b->size(), 32);
    assert_int_equal(c->size(), 64);
    auto d = generate_secret(HashAlgorithm::sha1, 16);
    assert_true(d.ok());
    assert_int_equal(d->size(), 16);
}

void test_generate_secret_rejects_lengths_outside_16_to_64(void** /*state*/) {
    for (int n : {-1, 1, 10, 15, 65, 1000}) {
        auto r = generate_secret(HashAlgorithm::sha1, n);
        assert_false(r.ok());
        assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::invalid_argument));
    }
}

void test_generate_secret_two_calls_differ(void** /*state*/) {
    auto a = generate_secret(HashAlgorithm::sha1);
    auto b = generate_secret(HashAlgorithm::sha1);
    assert_true(a.ok() && b.ok());
    assert_false(*a == *b);
}

// ---- independent cross-check ----

std::string run_oathtool(const std::string& args) {
    const std::string cmd = "oathtool " + args + " 2>/dev/null";
    FILE* f = popen(cmd.c_str(), "r");
    if (f == nullptr) return {};
    char buf[64] = {};
    std::string out;
    if (std::fgets(buf, sizeof buf, f) != nullptr) out = buf;
    if (pclose(f) != 0) return {};
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

void test_totp_matches_oathtool_for_random_secret(void** /*state*/) {
    if (std::system("command -v oathtool >/dev/null 2>&1") != 0) {
        std::fprintf(stderr, "oathtool not installed: skipping the independent cross-check\n");
        skip();
    }
    struct Case {
        HashAlgorithm alg;
        const char* flag;
        int digits;
    };
    const Case cases[] = {{HashAlgorithm::sha1, "--totp", 6},
                          {HashAlgorithm::sha256, "--totp=sha256", 8},
                          {HashAlgorithm::sha512, "--totp=sha512", 7}};
    for (const auto& c : cases) {
        auto key = generate_secret(c.alg);
        assert_true(key.ok());
        const SecretString b32 = base32_encode(*key);
        std::uint32_t r = 0;
        assert_true(random_bytes(&r, sizeof r));
        const std::int64_t t = 1000000000 + static_cast<std::int64_t>(r % 1000000000u);
        const std::string want = run_oathtool(std::string(c.flag) + " -b -d " + std::to_string(c.digits) +
                                              " -N @" + std::to_string(t) + " " + std::string(b32.view()));
        assert_int_equal(want.size(), static_cast<std::size_t>(c.digits));
        auto got = hotp(c.alg, key->data(), key->size(), totp_step(t, 30), c.digits);
        assert_true(got.ok());
        assert_string_equal(got->c_str(), want.c_str());
        const TotpParams p{c.alg, c.digits, 30};
        assert_true(totp_match(p, key->data(), key->size(), want, totp_step(t, 30), 1).has_value());
    }
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4226_appendix_d_hotp_values),
        cmocka_unit_test(test_rfc6238_sha1_vectors),
        cmocka_unit_test(test_rfc6238_sha256_vectors),
        cmocka_unit_test(test_rfc6238_sha512_vectors),
        cmocka_unit_test(test_hotp_rejects_digits_outside_6_to_8),
        cmocka_unit_test(test_hotp_zero_pads_short_values),
        cmocka_unit_test(test_algorithm_names_parse_and_print),
        cmocka_unit_test(test_totp_match_accepts_code_inside_window),
        cmocka_unit_test(test_totp_match_refuses_code_outside_window),
        cmocka_unit_test(test_totp_match_window_zero_is_current_step_only),
        cmocka_unit_test(test_totp_match_near_step_zero_does_not_wrap),
        cmocka_unit_test(test_totp_match_refuses_wrong_length),
        cmocka_unit_test(test_totp_match_refuses_non_digits),
        cmocka_unit_test(test_totp_match_refuses_10kb_input),
        cmocka_unit_test(test_totp_match_refuses_empty_code),
        cmocka_unit_test(test_totp_match_refuses_bad_params),
        cmocka_unit_test(test_totp_match_sha256_and_sha512),
        cmocka_unit_test(test_generate_secret_default_lengths_follow_digest),
        cmocka_unit_test(test_generate_secret_rejects_lengths_outside_16_to_64),
        cmocka_unit_test(test_generate_secret_two_calls_differ),
        cmocka_unit_test(test_totp_matches_oathtool_for_random_secret),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
