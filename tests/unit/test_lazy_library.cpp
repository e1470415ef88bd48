// SPDX-License-Identifier: BSD-2-Clause
// util/lazy_library: a library that cannot be loaded, or lacks a symbol, is
// Errc::unsupported (so a password change or a registration fails closed
// with a clear message); a present one gives working functions.
#include <argon2.h>

#include "testutil.hpp"
#include "util/lazy_library.hpp"

using chorus::Errc;

namespace {

void test_a_missing_library_is_unsupported(void**) {
    chorus::LazyLibrary lib("libchorus-no-such-library.so.9");
    auto p = lib.symbol("anything");
    assert_false(p.ok());
    assert_int_equal(static_cast<int>(p.code()), static_cast<int>(Errc::unsupported));
    assert_true(p.error().message.find("cannot load libchorus-no-such-library.so.9") != std::string::npos);
    // Still refused on the next call: nothing half-loaded is kept.
    assert_false(lib.symbol("anything").ok());
}

void test_a_missing_symbol_is_unsupported(void**) {
    auto p = chorus::argon2_library().symbol("argon2_no_such_function");
    assert_false(p.ok());
    assert_int_equal(static_cast<int>(p.code()), static_cast<int>(Errc::unsupported));
}

void test_functions_of_the_loaded_library_work(void**) {
    auto msg = chorus::argon2_library().function<decltype(argon2_error_message)>("argon2_error_message");
    assert_true(msg.ok());
    assert_string_equal((*msg)(ARGON2_VERIFY_MISMATCH), "The password does not match the supplied hash");
    assert_true(chorus::qrencode_library().symbol("QRcode_encodeData").ok());
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_missing_library_is_unsupported),
        cmocka_unit_test(test_a_missing_symbol_is_unsupported),
        cmocka_unit_test(test_functions_of_the_loaded_library_work),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
