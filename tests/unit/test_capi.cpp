// SPDX-License-Identifier: BSD-2-Clause
// The public C API end to end over a real config file and state directory.
#include <cstring>
#include <string>
#include <vector>

#include "chorus/chorus.h"
#include "otp/hotp.hpp"
#include "testutil.hpp"

using chorus_test::TempDir;

namespace {

std::vector<std::string> g_log;
void capture_log(void*, int, const char* msg) {
    g_log.emplace_back(msg);
}

std::string write_config(const TempDir& d, const std::string& extra = "") {
    std::string path = d.file("chorus.yaml");
    chorus_test::write_file(path, "store:\n  path: " + d.file("state") + "\n" + extra, 0600);
    return path;
}

std::string totp_now(const char* key, size_t len) {
    auto c = chorus::hotp(chorus::HashAlgorithm::sha1, reinterpret_cast<const std::uint8_t*>(key), len,
                          chorus::totp_step(time(nullptr), 30), 6);
    return std::string(c->view());
}

void test_every_rc_has_a_message(void**) {
    for (int rc = 0; rc >= CHORUS_ERR_UNAVAILABLE; --rc) {
        const char* s = chorus_strerror(rc);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
    }
    assert_string_equal(chorus_strerror(-999), "unknown error");
}

void test_free_functions_accept_null(void**) {
    chorus_ctx_free(nullptr);
    chorus_ctx_t* c = nullptr;
    chorus_ctx_free(&c);
    chorus_status_free(nullptr);
    chorus_enrollment_free(nullptr);
    chorus_checklist_free(nullptr);
    chorus_string_free(nullptr);
    chorus_strings_free(nullptr, 0);
    assert_null(c);
}

void test_missing_explicit_config_is_an_error(void**) {
    TempDir d;
    chorus_ctx_t* ctx = reinterpret_cast<chorus_ctx_t*>(0x1);
    int rc = chorus_ctx_new(&ctx, d.file("nope.yaml").c_str(), nullptr, nullptr, 0);
    assert_int_equal(rc, CHORUS_ERR_CONFIG);
    assert_null(ctx);
}

void test_broken_config_is_refused_with_a_logged_line(void**) {
    TempDir d;
    std::string path = write_config(d, "password:\n  min_lenght: 8\n");
    g_log.clear();
    chorus_ctx_t* ctx = nullptr;
    assert_int_equal(chorus_ctx_new(&ctx, path.c_str(), capture_log, nullptr, 0), CHORUS_ERR_CONFIG);
    assert_null(ctx);
    assert_false(g_log.empty());
    assert_non_null(std::strstr(g_log.back().c_str(), "min_lenght"));
    assert_non_null(std::strstr(g_log.back().c_str(), ":4:"));  // line 4 of the file
}

// A context over d's config, and a pending key "12345678901234567890" for user.
chorus_ctx_t* ctx_with_pending_key(const TempDir& d, const char* user, chorus_enrollment_t** e) {
    std::string path = write_config(d);
    chorus_ctx_t* ctx = nullptr;
    assert_int_equal(chorus_ctx_new(&ctx, path.c_str(), nullptr, nullptr, 0), CHORUS_OK);
    chorus_totp_opts opts{};
    opts.secret_base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_int_equal(chorus_enrollment_new(ctx, user, &opts, e), CHORUS_OK);
    return ctx;
}

void test_enroll_verify_status_through_the_c_api(void**) {
    TempDir d;
    chorus_enrollment_t* e = nullptr;
    chorus_ctx_t* ctx = ctx_with_pending_key(d, "carol", &e);
    assert_non_null(std::strstr(chorus_enrollment_uri(e), "otpauth://totp/"));
    assert_string_equal(chorus_enrollment_secret_display(e), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
    assert_int_equal(chorus_enrollment_check(ctx, e, "000000") == CHORUS_OK, 0);
    assert_int_equal(chorus_enrollment_commit(ctx, e, nullptr), CHORUS_OK);
    chorus_enrollment_free(&e);
    assert_null(e);

    std::string code = totp_now("12345678901234567890", 20);
    chorus_method m = CHORUS_METHOD_NONE;
    long long left = -1;
    assert_int_equal(chorus_verify_code(ctx, "carol", code.c_str(), &m, &left), CHORUS_OK);
    assert_int_equal(m, CHORUS_METHOD_TOTP);
    assert_int_equal(chorus_verify_code(ctx, "carol", code.c_str(), &m, &left), CHORUS_ERR_REPLAY);

    chorus_status_t* st = nullptr;
    assert_int_equal(chorus_status_get(ctx, "carol", &st), CHORUS_OK);
    assert_int_equal(chorus_status_has_totp(st), 1);
    assert_string_equal(chorus_status_algorithm(st), "SHA1");
    assert_int_equal(chorus_status_failures(st), 1);  // the replay counted
    chorus_status_free(&st);
    assert_int_equal(chorus_status_get(ctx, "nobody", &st), CHORUS_ERR_NO_USER);

    char** users = nullptr;
    size_t n = 0;
    assert_int_equal(chorus_user_list(ctx, &users, &n), CHORUS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(users[0], "carol");
    chorus_strings_free(&users, n);

    char** codes = nullptr;
    assert_int_equal(chorus_recovery_codes_new(ctx, "carol", &codes, &n), CHORUS_OK);
    assert_int_equal(n, 10);
    assert_int_equal(chorus_verify_code(ctx, "carol", codes[0], &m, nullptr), CHORUS_OK);
    assert_int_equal(m, CHORUS_METHOD_RECOVERY);
    chorus_strings_free(&codes, n);
    chorus_ctx_free(&ctx);
}

void test_password_checklist_through_the_c_api(void**) {
    TempDir d;
    std::string path =
        write_config(d, "password:\n  history:\n    argon2: { t_cost: 1, m_cost_kib: 8192 }\n");
    chorus_ctx_t* ctx = nullptr;
    assert_int_equal(chorus_ctx_new(&ctx, path.c_str(), nullptr, nullptr, 0), CHORUS_OK);
    chorus_checklist_t* cl = nullptr;
    assert_int_equal(chorus_password_check(ctx, "dave", nullptr, "short", CHORUS_PW_CHANGE, &cl), CHORUS_OK);
    assert_int_equal(chorus_checklist_ok(cl), 0);
    bool saw_min = false;
    for (size_t i = 0; i < chorus_checklist_count(cl); ++i)
        if (std::strcmp(chorus_checklist_rule_id(cl, i), "min_length") == 0) {
            saw_min = true;
            assert_int_equal(chorus_checklist_rule_met(cl, i), 0);
        }
    assert_true(saw_min);
    chorus_checklist_free(&cl);

    assert_int_equal(chorus_password_record(ctx, "dave", "Tr0ub4dor&3x"), CHORUS_OK);
    assert_int_equal(chorus_password_check(ctx, "dave", nullptr, "Tr0ub4dor&3x", CHORUS_PW_CHANGE, &cl),
                     CHORUS_OK);
    assert_int_equal(chorus_checklist_ok(cl), 0);  // reuse refused on change
    chorus_checklist_free(&cl);
    assert_int_equal(chorus_password_check(ctx, "dave", nullptr, "Tr0ub4dor&3x", CHORUS_PW_RESET, &cl),
                     CHORUS_OK);
    assert_int_equal(chorus_checklist_ok(cl), 1);  // allowed on reset (seed rule)
    chorus_checklist_free(&cl);
    chorus_ctx_free(&ctx);
}
// Apps and contacts through the C API: names, proofs, and what is refused.
void test_apps_and_contacts_through_the_c_api(void**) {
    TempDir d;
    chorus_enrollment_t* e = nullptr;
    chorus_ctx_t* ctx = ctx_with_pending_key(d, "dora", &e);
    assert_int_equal(chorus_enrollment_add(nullptr, e, "", "x"), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_enrollment_add(ctx, e, nullptr, "laptop"), CHORUS_OK);  // the first app
    assert_int_equal(chorus_enrollment_add(ctx, e, "000000", "tablet"), CHORUS_ERR_BAD_CODE);
    assert_int_equal(chorus_enrollment_add(ctx, e, "", "laptop"), CHORUS_ERR_INVALID_ARG);  // taken
    assert_int_equal(chorus_enrollment_add(ctx, e, "", nullptr), CHORUS_OK);                // "app 2"
    chorus_enrollment_free(&e);
    char** names = nullptr;
    size_t n = 0;
    assert_int_equal(chorus_app_list(ctx, "dora", &names, &n), CHORUS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "laptop");
    assert_string_equal(names[1], "app 2");
    chorus_strings_free(&names, n);
    assert_int_equal(chorus_app_list(ctx, "nobody", &names, &n), CHORUS_ERR_NO_USER);
    assert_int_equal(chorus_app_list(ctx, "dora", nullptr, &n), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_app_rename(ctx, "dora", "2", "phone"), CHORUS_OK);
    assert_int_equal(chorus_app_rename(ctx, "dora", "3", "x"), CHORUS_ERR_NO_USER);
    assert_int_equal(chorus_app_rename(ctx, "dora", "1", nullptr), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_app_remove(ctx, "dora", "phone"), CHORUS_OK);
    assert_int_equal(chorus_app_remove(ctx, "dora", "laptop"), CHORUS_ERR_PERMISSION);
    assert_int_equal(chorus_app_remove(ctx, "dora", nullptr), CHORUS_ERR_INVALID_ARG);

    // Contacts: stored not proven unless an admin vouches; a bad slot or way is refused.
    assert_int_equal(chorus_user_store_contact(ctx, "dora", "phone", "+6421555123", 0), CHORUS_OK);
    assert_int_equal(chorus_user_store_contact(ctx, "dora", "phone2", "+6421555999", 1), CHORUS_OK);
    assert_int_equal(chorus_user_store_contact(ctx, "dora", "fax", "+6421555999", 1), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_user_store_contact(ctx, "dora", "email", "not an address", 0),
                     CHORUS_ERR_INVALID_ARG);
    chorus_status_t* st = nullptr;
    assert_int_equal(chorus_status_get(ctx, "dora", &st), CHORUS_OK);
    assert_string_equal(chorus_status_phone2(st), "+6421555999");
    assert_int_equal(chorus_status_contact_proven(st, "phone"), 0);
    assert_int_equal(chorus_status_contact_proven(st, "phone2"), 1);
    assert_int_equal(chorus_status_contact_proven(st, "email"), 0);
    assert_int_equal(chorus_status_contact_proven(st, "fax"), 0);
    assert_int_equal(chorus_status_contact_proven(st, nullptr), 0);
    chorus_status_free(&st);
    assert_int_equal(chorus_status_contact_proven(nullptr, "phone"), 0);
    assert_string_equal(chorus_status_phone2(nullptr), "");
    // No delivery configured: nothing can prove a contact, and nothing is stored.
    chorus_prompter p{nullptr, [](void*, chorus_msg_kind, const char*) { return 0; },
                      [](void*, int, const char*, char**) { return 1; }};
    assert_int_equal(chorus_channel_configured(ctx, "sms"), 0);
    assert_int_equal(chorus_channel_configured(ctx, "fax"), 0);
    assert_int_equal(chorus_channel_configured(nullptr, "sms"), 0);
    assert_int_equal(chorus_user_prove_contact(ctx, "dora", "phone", "+6421555777", "call", &p),
                     CHORUS_ERR_UNSUPPORTED);
    assert_int_equal(chorus_user_prove_contact(ctx, "dora", "phone", "+6421555777", "email", &p),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_user_prove_contact(ctx, "dora", "phone", "+6421555777", "fax", &p),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_user_prove_contact(ctx, "dora", "phone", "+6421555777", nullptr, nullptr),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_status_get(ctx, "dora", &st), CHORUS_OK);
    assert_string_equal(chorus_status_phone(st), "+6421555123");
    chorus_status_free(&st);
    chorus_ctx_free(&ctx);
}

void test_null_arguments_are_rejected(void**) {
    assert_int_equal(chorus_ctx_new(nullptr, nullptr, nullptr, nullptr, 0), CHORUS_ERR_INVALID_ARG);
    assert_int_equal(chorus_verify_code(nullptr, "a", "1", nullptr, nullptr), CHORUS_ERR_INVALID_ARG);
    chorus_checklist_t* cl = nullptr;
    assert_int_equal(chorus_password_check(nullptr, nullptr, nullptr, "x", CHORUS_PW_CHANGE, &cl),
                     CHORUS_ERR_INVALID_ARG);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rc_has_a_message),
        cmocka_unit_test(test_free_functions_accept_null),
        cmocka_unit_test(test_missing_explicit_config_is_an_error),
        cmocka_unit_test(test_broken_config_is_refused_with_a_logged_line),
        cmocka_unit_test(test_enroll_verify_status_through_the_c_api),
        cmocka_unit_test(test_password_checklist_through_the_c_api),
        cmocka_unit_test(test_apps_and_contacts_through_the_c_api),
        cmocka_unit_test(test_null_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
