// SPDX-License-Identifier: BSD-2-Clause
// TOTP keys sealed at rest (AES-256-GCM): round trips, wrong key or moved
// record refused, nothing of the key in the file, unsealed records sealed on
// their next write, and the key file itself checked.
#include <cstring>
#include <fstream>
#include <sstream>

#include "flows/context.hpp"
#include "otp/base32.hpp"
#include "testutil.hpp"
#include "util/seal.hpp"

using chorus::Errc;

namespace {

chorus::SecretBytes bytes(std::string_view s) {
    return chorus::SecretBytes(s.begin(), s.end());
}
const char kKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

chorus::UserRecord record_with_key() {
    chorus::UserRecord rec;
    rec.totp = chorus::TotpKey{};
    rec.totp->secret = bytes("12345678901234567890");
    return rec;
}

std::unique_ptr<chorus::Store> store_at(const std::string& dir, bool with_key) {
    chorus::FileStoreOptions o{dir, static_cast<unsigned>(geteuid()), 1000, {}};
    if (with_key) o.seal_key = *chorus::parse_seal_key(kKeyHex);
    auto s = chorus::open_file_store(o);
    if (!s.ok()) abort();
    return std::move(s).value();
}

void test_seal_round_trip_and_tamper(void**) {
    auto key = chorus::parse_seal_key(kKeyHex);
    assert_true(key.ok());
    auto sealed = chorus::seal(*key, bytes("secret key"), "alice");
    assert_true(sealed.ok());
    assert_int_equal(sealed->size(), 10 + chorus::kSealOverhead);
    auto opened = chorus::unseal(*key, *sealed, "alice");
    assert_true(opened.ok());
    assert_true(*opened == bytes("secret key"));
    assert_int_equal(static_cast<int>(chorus::unseal(*key, *sealed, "bob").code()),
                     static_cast<int>(Errc::corrupt));
    auto tampered = *sealed;
    tampered[14] ^= 1;
    assert_false(chorus::unseal(*key, tampered, "alice").ok());
    auto other = chorus::parse_seal_key(std::string(64, 'f'));
    assert_false(chorus::unseal(*other, *sealed, "alice").ok());
}

void test_bad_key_text_is_refused(void**) {
    assert_false(chorus::parse_seal_key("abc").ok());
    assert_false(chorus::parse_seal_key(std::string(64, 'g')).ok());
    assert_true(chorus::parse_seal_key(std::string(kKeyHex) + "\n").ok());
}

void test_sealed_record_holds_no_plain_key_and_reads_back(void**) {
    chorus_test::TempDir d;
    auto store = store_at(d.file("s"), true);
    {
        auto txn = store->begin("alice");
        assert_true((*txn)->put_record(record_with_key()).ok());
    }
    std::string text = slurp(d.file("s/alice.rec"));
    assert_non_null(strstr(text.c_str(), "totp.sealed "));
    assert_null(strstr(text.c_str(), "totp.secret "));
    assert_null(strstr(text.c_str(), "3132333435363738"));  // hex of the plain key
    auto txn = store->begin("alice");
    auto rec = (*txn)->record();
    assert_true(rec.ok() && rec->has_value());
    assert_true((*rec)->totp->secret == bytes("12345678901234567890"));
    assert_false((*rec)->totp->sealed);
}

void test_record_moved_to_another_user_does_not_open(void**) {
    chorus_test::TempDir d;
    auto store = store_at(d.file("s"), true);
    {
        auto txn = store->begin("alice");
        assert_true((*txn)->put_record(record_with_key()).ok());
    }
    std::string cmd = "cp -p " + d.file("s/alice.rec") + " " + d.file("s/mallory.rec") + " && touch " +
                      d.file("s/mallory.lock") + " && chmod 600 " + d.file("s/mallory.lock");
    assert_int_equal(std::system(cmd.c_str()), 0);
    auto txn = store->begin("mallory");
    assert_int_equal(static_cast<int>((*txn)->record().code()), static_cast<int>(Errc::corrupt));
}

void test_sealed_record_without_key_is_a_config_error(void**) {
    chorus_test::TempDir d;
    {
        auto store = store_at(d.file("s"), true);
        auto txn = store->begin("alice");
        assert_true((*txn)->put_record(record_with_key()).ok());
    }
    auto plain = store_at(d.file("s"), false);
    auto txn = plain->begin("alice");
    assert_int_equal(static_cast<int>((*txn)->record().code()), static_cast<int>(Errc::config));
}

void test_unsealed_record_is_sealed_on_next_write(void**) {
    chorus_test::TempDir d;
    {
        auto plain = store_at(d.file("s"), false);
        auto txn = plain->begin("alice");
        assert_true((*txn)->put_record(record_with_key()).ok());
    }
    assert_non_null(strstr(slurp(d.file("s/alice.rec")).c_str(), "totp.secret "));
    auto sealed = store_at(d.file("s"), true);
    auto txn = sealed->begin("alice");
    auto rec = (*txn)->record();  // an old record still reads
    assert_true(rec.ok() && rec->has_value());
    assert_true((*txn)->put_record(**rec).ok());
    assert_non_null(strstr(slurp(d.file("s/alice.rec")).c_str(), "totp.sealed "));
}

void test_seal_key_file_must_be_private(void**) {
    chorus_test::TempDir d;
    chorus::StoreConfig sc;
    sc.path = d.file("s");
    sc.seal_key_file = d.file("seal.key");
    chorus_test::write_file(sc.seal_key_file, std::string(kKeyHex) + "\n", 0644);
    assert_int_equal(static_cast<int>(chorus::open_store(sc).code()), static_cast<int>(Errc::config));
    chmod(sc.seal_key_file.c_str(), 0600);
    assert_true(chorus::open_store(sc).ok());
    chorus_test::write_file(sc.seal_key_file, "not a key\n", 0600);
    assert_int_equal(static_cast<int>(chorus::open_store(sc).code()), static_cast<int>(Errc::config));
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_round_trip_and_tamper),
        cmocka_unit_test(test_bad_key_text_is_refused),
        cmocka_unit_test(test_sealed_record_holds_no_plain_key_and_reads_back),
        cmocka_unit_test(test_record_moved_to_another_user_does_not_open),
        cmocka_unit_test(test_sealed_record_without_key_is_a_config_error),
        cmocka_unit_test(test_unsealed_record_is_sealed_on_next_write),
        cmocka_unit_test(test_seal_key_file_must_be_private),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
