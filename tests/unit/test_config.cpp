// SPDX-License-Identifier: BSD-2-Clause
// chorus.yaml: the strict schema (every error names line and column) and the
// shipped sample.
#include "config_fixture.hpp"

using namespace config_test;

namespace {

// ---- the shipped sample and defaults ----

void test_sample_config_equals_builtin_defaults(void**) {
    const std::string path = CHORUS_TEST_DATA "/../../../etc/chorus.yaml";
    Config c = parse_ok(read_text_file(path));
    assert_same_config(c, Config{});
}

void test_empty_or_null_document_gives_defaults(void**) {
    for (const char* text : {"", "~\n", "# only a comment\n", "---\n", "null\n", "\xef\xbb\xbf\n"}) {
        Config c = parse_ok(text);
        assert_same_config(c, Config{});
        assert_string_equal(c.source.c_str(), kOrigin.c_str());
    }
}

void test_empty_section_keeps_defaults(void**) {
    Config c = parse_ok("otp:\npassword:\n  # min_length: 8\n  history: ~\n");
    assert_same_config(c, Config{});
}

void test_every_key_set_to_non_default_is_read_back(void**) {
    Config c = parse_ok(read_text_file(CHORUS_TEST_DATA "/config/all_keys.yaml"));
    assert_true(c.otp.algorithm == chorus::HashAlgorithm::sha256);
    assert_int_equal(c.otp.digits, 8);
    assert_int_equal(c.otp.period, 60);
    assert_int_equal(c.otp.window, 2);
    assert_string_equal(c.otp.issuer.c_str(), "Example Corp");
    assert_int_equal(c.otp.secret_bytes, 32);
    assert_int_equal(c.password.min_length, 12);
    assert_int_equal(c.password.max_length, 0);
    assert_int_equal(c.password.min_classes, 4);
    assert_false(c.password.reject_username);
    assert_int_equal(c.password.max_repeat, 3);
    assert_int_equal(c.password.max_sequence, 4);
    assert_string_equal(c.password.blocklist.c_str(), "/etc/chorus/blocklist.db");
    assert_false(c.password.enforce_for_root);
    assert_int_equal(c.password.history.remember, 5);
    assert_false(c.password.history.reset_allows_last);
    assert_int_equal(c.password.history.argon2.t_cost, 4);
    assert_int_equal(c.password.history.argon2.m_cost_kib, 131072);
    assert_int_equal(c.password.history.argon2.parallelism, 2);
    assert_int_equal(c.lockout.max_failures, 10);
    assert_int_equal(c.lockout.lock_seconds, 3600);
    assert_int_equal(c.lockout.failure_window, 1800);
    assert_true(c.enrollment.policy == chorus::EnrollPolicy::grace);
    assert_int_equal(c.enrollment.grace_days, 7);
    assert_int_equal(c.enrollment.grace_until, 1798675200);  // 2026-12-31T00:00:00Z
    assert_true((c.enrollment.require_groups == std::vector<std::string>{"mfa", "staff"}));
    assert_true((c.enrollment.exempt_groups == std::vector<std::string>{"robots"}));
    assert_true((c.enrollment.never_exempt_groups == std::vector<std::string>{"admins"}));
    assert_int_equal(c.enrollment.recovery_codes, 12);
    assert_true((c.enrollment.other_method_words == std::vector<std::string>{"text", "phone", "voice"}));
    assert_int_equal(c.reset.code_ttl, 600);
    assert_int_equal(c.reset.resend_cooldown, 60);
    assert_int_equal(c.reset.max_sends_per_hour, 3);
    assert_int_equal(c.reset.max_sends_per_day, 6);
    assert_int_equal(c.reset.max_attempts, 3);
    assert_int_equal(c.reset.lock_seconds, 1800);
    assert_string_equal(c.delivery.helper.c_str(), "/opt/chorus/bin/deliver");
    assert_int_equal(c.delivery.timeout, 30);
    assert_string_equal(c.delivery.smtp_url.c_str(), "smtps://mail.example.org:465");
    assert_string_equal(c.delivery.email_from.c_str(), "noreply@example.org");
    assert_string_equal(c.delivery.sms_url.c_str(), "https://sms.example.org/send");
    assert_string_equal(c.delivery.voice_url.c_str(), "http://127.0.0.1:8080/call");
    assert_string_equal(c.delivery.email_subject.c_str(), "[{host}] {subject}");
    assert_string_equal(c.delivery.email_body.c_str(), "Hello {to},\n\n{message}\n-- \n{{chorus}} on {host}");
    assert_string_equal(c.delivery.sms_body.c_str(), "{host}: {message}");
    assert_string_equal(c.delivery.voice_message.c_str(), "This is {host}. {message}");
    assert_true(c.delivery.sms_format == chorus::SmsFormat::form);
    assert_string_equal(c.delivery.sms_fields.to.c_str(), "To");
    assert_string_equal(c.delivery.sms_fields.message.c_str(), "Body");
    assert_true(c.delivery.gateway_auth == chorus::GatewayAuth::bearer);
    assert_string_equal(c.delivery.gateway_token_file.c_str(), "/etc/chorus/gateway.token");
    assert_string_equal(c.delivery.command.c_str(), "/usr/local/bin/send-code");
    assert_int_equal(c.delivery.command_channels.size(), 2);
    assert_string_equal(c.delivery.command_channels[1].c_str(), "voice");
    assert_true(c.store.backend == chorus::StoreBackend::postgresql);
    assert_string_equal(c.store.path.c_str(), "/srv/chorus");
    assert_string_equal(c.store.conninfo.c_str(), "host=db.example.org dbname=chorus");
    assert_string_equal(c.store.seal_key_file.c_str(), "/etc/chorus/seal.key");
    // And every section differs from the defaults, so none was skipped.
    Config d;
    assert_false(c.otp == d.otp || c.password == d.password || c.lockout == d.lockout ||
                 c.enrollment == d.enrollment || c.reset == d.reset || c.delivery == d.delivery ||
                 c.store == d.store);
}

void test_enum_values_are_case_insensitive(void**) {
    Config c = parse_ok("otp: {algorithm: sha512}\nenrollment: {policy: NullOK}\nstore: {backend: File}\n");
    assert_true(c.otp.algorithm == chorus::HashAlgorithm::sha512);
    assert_true(c.enrollment.policy == chorus::EnrollPolicy::nullok);
    assert_true(c.store.backend == chorus::StoreBackend::file);
}

// ---- schema errors, each with line and column ----

void test_unknown_key_names_line_and_column(void**) {
    std::string m = parse_error("otp:\n  digits: 6\npassword:\n  min_lenght: 8\n");
    expect_contains(m, "test.yaml:4:3: unknown key 'min_lenght' in section 'password'");
    expect_contains(m, "did you mean 'min_length'?");
}

void test_unknown_key_in_nested_section_and_top_level(void**) {
    std::string m = parse_error("password:\n  history:\n    argon2:\n      memory: 1\nstorage: {}\n");
    expect_contains(m, "test.yaml:4:7: unknown key 'memory' in section 'password.history.argon2'");
    expect_contains(m, "test.yaml:5:1: unknown key 'storage' at the top level");
}

void test_string_for_integer_is_refused(void**) {
    expect_contains(parse_error("otp:\n  digits: six\n"),
                    "test.yaml:2:11: otp.digits: expected an integer in 6..8, got 'six'");
    expect_contains(parse_error("otp:\n  digits: \"6\"\n"),
                    "test.yaml:2:11: otp.digits: expected an integer");
    expect_contains(parse_error("otp:\n  period: 0x1e\n"), "test.yaml:2:11: otp.period: expected an integer");
    expect_contains(parse_error("otp:\n  period: 030\n"), "test.yaml:2:11: otp.period: expected an integer");
    expect_contains(parse_error("otp:\n  period: 30.5\n"), "test.yaml:2:11: otp.period: expected an integer");
    expect_contains(parse_error("otp:\n  period:\n"),
                    "test.yaml:2:3: otp.period: expected an integer in 15..300, got an empty value");
}

void test_map_or_list_for_scalar_is_refused(void**) {
    expect_contains(parse_error("otp:\n  issuer: {a: 1}\n"),
                    "test.yaml:2:11: otp.issuer: expected a string, got a mapping");
    expect_contains(parse_error("lockout:\n  max_failures: [1]\n"),
                    "test.yaml:2:17: lockout.max_failures: expected an integer in 1..1000, got a list");
    expect_contains(parse_error("enrollment:\n  exempt_groups: wheel\n"),
                    "test.yaml:2:18: enrollment.exempt_groups: expected a list");
    expect_contains(parse_error("enrollment:\n  exempt_groups: [[a]]\n"),
                    "enrollment.exempt_groups: list items must be strings, got a list");
    expect_contains(parse_error("password: 8\n"), "test.yaml:1:11: section 'password' must be a mapping");
}

void test_bool_accepts_only_true_or_false(void**) {
    assert_false(parse_ok("password: {reject_username: false}\n").password.reject_username);
    for (const char* word : {"yes", "no", "on", "off", "True", "1", "\"true\""}) {
        std::string m = parse_error(std::string("password:\n  reject_username: ") + word + "\n");
        expect_contains(m, "test.yaml:2:20: password.reject_username: expected true or false");
    }
}

void test_out_of_range_numbers_are_refused(void**) {
    expect_contains(parse_error("otp:\n  digits: 5\n"), "test.yaml:2:11: otp.digits: 5 is out of range 6..8");
    expect_contains(parse_error("otp:\n  digits: 9\n"), "test.yaml:2:11: otp.digits: 9 is out of range 6..8");
    expect_contains(parse_error("otp:\n  window: -1\n"), "otp.window: -1 is out of range 0..10");
    expect_contains(parse_error("otp:\n  secret_bytes: 8\n"),
                    "test.yaml:2:17: otp.secret_bytes: 8 is out of range (0, or 16..64)");
    expect_contains(parse_error("password:\n  history:\n    argon2:\n      m_cost_kib: 4096\n"),
                    "test.yaml:4:19: password.history.argon2.m_cost_kib: 4096 is out of range 8192..4194304");
    expect_contains(parse_error("password:\n  history:\n    argon2:\n      m_cost_kib: 4194305\n"),
                    "is out of range");
    expect_contains(
        parse_error("lockout:\n  lock_seconds: 99999999999999999999999\n"),
        "test.yaml:2:17: lockout.lock_seconds: '99999999999999999999999' is out of range 1..604800");
    expect_contains(parse_error("reset:\n  code_ttl: 59\n"), "reset.code_ttl: 59 is out of range 60..3600");
    expect_contains(parse_error("enrollment:\n  recovery_codes: 51\n"),
                    "enrollment.recovery_codes: 51 is out of range 0..50");
}

void test_bad_enum_is_refused(void**) {
    expect_contains(
        parse_error("otp:\n  algorithm: md5\n"),
        "test.yaml:2:14: otp.algorithm: unknown algorithm 'md5' (expected sha1, sha256 or sha512)");
    expect_contains(parse_error("enrollment:\n  policy: later\n"),
                    "test.yaml:2:11: enrollment.policy: unknown value 'later' (expected one of required, "
                    "grace, optional, nullok)");
    expect_contains(
        parse_error("store:\n  backend: mysql\n"),
        "test.yaml:2:12: store.backend: unknown value 'mysql' (expected one of file, postgresql)");
}

void test_duplicate_key_is_refused(void**) {
    std::string m = parse_error("password:\n  min_length: 8\n  max_length: 20\n  min_length: 12\n");
    expect_contains(m, "test.yaml:4:3: duplicate key 'min_length' in section 'password' (first at line 2)");
    expect_contains(parse_error("otp: {}\notp: {}\n"), "test.yaml:2:1: duplicate key 'otp' at the top level");
}

void test_bad_date_is_refused(void**) {
    for (const char* date :
         {"2026-02-30", "2026-13-01", "26-12-31", "2026-12-31T00:00:00Z", "1969-12-31", "soon"}) {
        std::string m = parse_error(std::string("enrollment:\n  grace_until: ") + date + "\n");
        expect_contains(m, "test.yaml:2:16: enrollment.grace_until: expected a date YYYY-MM-DD");
    }
    assert_int_equal(parse_ok("enrollment: {grace_until: \"2024-02-29\"}\n").enrollment.grace_until,
                     1709164800);
}

void test_relative_path_is_refused(void**) {
    expect_contains(
        parse_error("store:\n  path: var/lib/chorus\n"),
        "test.yaml:2:9: store.path: must be an absolute path (starting with '/'), got 'var/lib/chorus'");
    expect_contains(parse_error("store:\n  seal_key_file: seal.key\n"),
                    "store.seal_key_file: must be an absolute path");
    expect_contains(parse_error("password:\n  blocklist: ./words\n"),
                    "password.blocklist: must be an absolute path");
    expect_contains(parse_error("delivery:\n  helper: chorus-deliver\n"),
                    "delivery.helper: must be an absolute path");
    expect_contains(parse_error("delivery:\n  helper: \"\"\n"),
                    "test.yaml:2:11: delivery.helper: must not be empty");
}

void test_bad_strings_are_refused(void**) {
    expect_contains(parse_error("otp:\n  issuer: \"a\\nb\"\n"),
                    "test.yaml:2:11: otp.issuer: control characters are not allowed");
    expect_contains(parse_error("otp:\n  issuer: \"a:b\"\n"), "otp.issuer: must not contain ':'");
    expect_contains(parse_error("delivery:\n  smtp_url: mail.example.org\n"),
                    "delivery.smtp_url: expected a URL starting with smtp://, smtps://");
    expect_contains(parse_error("delivery:\n  sms_url: ftp://x\n"), "delivery.sms_url: expected a URL");
    expect_contains(parse_error("delivery:\n  email_from: nobody\n"),
                    "delivery.email_from: expected an address");
    expect_contains(parse_error("delivery:\n  email_subject: \"{code}\"\n"),
                    "delivery.email_subject: unknown placeholder {code} (expected {subject}, {to}, {host})");
    expect_contains(parse_error("delivery:\n  email_subject: \"a\\nb\"\n"),
                    "delivery.email_subject: control characters are not allowed");
    expect_contains(parse_error("delivery:\n  email_body: \"{message} {subject}\"\n"),
                    "delivery.email_body: unknown placeholder {subject}");
    expect_contains(parse_error("delivery:\n  email_body: \"\"\n"), "delivery.email_body: must not be empty");
    expect_contains(parse_error("delivery:\n  sms_body: \"{message\"\n"), "delivery.sms_body: unclosed '{'");
    expect_contains(parse_error("delivery:\n  sms_body: \"a\\tb {message}\"\n"),
                    "delivery.sms_body: control characters are not allowed");
    expect_contains(parse_error("delivery:\n  voice_message: \"x}\"\n"),
                    "delivery.voice_message: unmatched '}'");
    expect_contains(parse_error("delivery:\n  voice_message: \"" + std::string(4097, 'a') + "\"\n"),
                    "delivery.voice_message: longer than 4096 bytes");
    expect_contains(parse_error("delivery:\n  sms_format: xml\n"),
                    "delivery.sms_format: unknown value 'xml' (expected one of json, form)");
    expect_contains(parse_error("delivery:\n  sms_fields:\n    to: \"a b\"\n"),
                    "delivery.sms_fields.to: only letters, digits and _ . - [ ] are allowed");
    expect_contains(parse_error("delivery:\n  sms_fields:\n    message: \"\"\n"),
                    "delivery.sms_fields.message: must be 1..64 characters");
    expect_contains(parse_error("delivery:\n  sms_fields:\n    sender: x\n"), "sender");
    expect_contains(parse_error("delivery:\n  sms_fields: {to: x, message: x}\n"),
                    "delivery.sms_fields: to and message must be different names");
    expect_contains(parse_error("delivery:\n  gateway_auth: digest\n"),
                    "delivery.gateway_auth: unknown value 'digest' (expected one of none, basic, bearer)");
    expect_contains(parse_error("delivery:\n  gateway_auth: basic\n"),
                    "delivery.gateway_auth: basic and bearer need delivery.gateway_token_file");
    expect_contains(parse_error("delivery:\n  gateway_token_file: token\n"),
                    "delivery.gateway_token_file: must be an absolute path");
    expect_contains(parse_error("delivery:\n  command_channels: [sms]\n"),
                    "delivery.command_channels: needs delivery.command");
    expect_contains(parse_error("delivery:\n  command: /bin/true\n  command_channels: [fax]\n"),
                    "channels are email, sms and voice");
    expect_contains(parse_error("delivery:\n  command: send-code\n"),
                    "delivery.command: must be an absolute path");
    {
        Config c = parse_ok("delivery:\n  sms_body: \"{message}\\n{host}\"\n");
        assert_string_equal(c.delivery.sms_body.c_str(), "{message}\n{host}");
    }
    expect_contains(parse_error("enrollment:\n  other_method_words: [sms, \"123\"]\n"),
                    "must not be all digits");
    expect_contains(parse_error("enrollment:\n  require_groups: [\"a b\"]\n"),
                    "group names must not contain spaces");
}

void test_failmode_settings(void**) {
    const std::string pg =
        "store:\n  backend: postgresql\n  conninfo: \"host=db\"\n  seal_key_file: /etc/k\n";
    Config c = parse_ok(pg +
                        "failmode:\n  allow_groups: [wheel]\n  allow_console: true\n"
                        "  console_ttys: [tty1]\n  break_glass_path: /var/lib/chorus-break-glass\n");
    assert_int_equal(c.failmode.allow_groups.size(), 1);
    assert_true(c.failmode.allow_console);
    assert_string_equal(c.failmode.console_ttys.at(0).c_str(), "tty1");
    assert_string_equal(c.failmode.break_glass_path.c_str(), "/var/lib/chorus-break-glass");
    assert_true(Config{}.failmode.allow_groups.empty() &&
                !Config{}.failmode.allow_console);  // deny by default
    expect_contains(parse_error("failmode:\n  allow_groups: [wheel]\n"),
                    "failmode: applies only to store.backend: postgresql");
    expect_contains(parse_error(pg + "failmode:\n  console_ttys: [\"pts*\"]\n"),
                    "pseudo-terminals (pts) are not consoles");
    expect_contains(parse_error(pg + "failmode:\n  console_ttys: [\"*\"]\n"), "must name a device");
    expect_contains(parse_error(pg + "failmode:\n  console_ttys: [/dev/tty1]\n"),
                    "must not contain spaces or '/'");
    expect_contains(parse_error(pg + "failmode:\n  break_glass_path: bg\n"),
                    "failmode.break_glass_path: must be an absolute path");
    expect_contains(parse_error(pg + "failmode:\n  allow_console: yes\n"), "failmode.allow_console");
    expect_contains(parse_error(pg + "failmode:\n  break_glass_path: /var/lib/chorus\n"),
                    "failmode.break_glass_path: must be a directory of its own, not store.path");
    // The same directory spelled another way.
    expect_contains(parse_error(pg + "failmode:\n  break_glass_path: /var/lib//chorus/\n"),
                    "failmode.break_glass_path: must be a directory of its own, not store.path");
    expect_contains(parse_error(pg + "failmode:\n  break_glass_path: /var/lib/./x/../chorus\n"),
                    "failmode.break_glass_path: must be a directory of its own, not store.path");
}

void test_top_level_that_is_not_a_map_is_refused(void**) {
    expect_contains(parse_error("hello\n"),
                    "test.yaml:1:1: the document must be a mapping of keys to values, not 'hello'");
    expect_contains(parse_error("- otp\n- password\n"),
                    "test.yaml:1:1: the document must be a mapping of keys to values, not a list");
}

void test_syntax_error_names_line_and_column(void**) {
    expect_contains(parse_error("otp:\n  issuer: \"unterminated"), "test.yaml:2:");
    expect_contains(parse_error("enrollment:\n  require_groups: [mfa, admins\n"), "YAML syntax error: ");
    expect_contains(parse_error("otp:\n  digits: 6\n   period: 30\n"), "test.yaml:3:");
}

void test_truncated_file_is_refused(void**) {
    std::string sample = read_text_file(CHORUS_TEST_DATA "/config/all_keys.yaml");
    // Cut inside the flow list of require_groups.
    std::string cut = sample.substr(0, sample.find("staff]"));
    expect_contains(parse_error(cut), "YAML syntax error");
}

// yaml-cpp 0.7 accepts a double quote left open up to the end of the file,
// folding the following lines into the string; a file cut short while being
// written must not load with keys silently missing.
void test_unclosed_quote_is_refused_not_swallowing_later_keys(void**) {
    expect_contains(
        parse_error("otp:\n  issuer: \"Example\n  digits: 8\n"),
        "test.yaml:2:11: otp.issuer: quoted string is not closed on its line (is the file truncated?)");
    expect_contains(parse_error("enrollment:\n  require_groups: [mfa]\n  exempt_groups:\n    - 'robots\n"),
                    "test.yaml:4:7: enrollment.exempt_groups: quoted string is not closed on its line");
    expect_contains(parse_error("otp:\n  \"digits: 8\n"),
                    "test.yaml:2:3: section 'otp': quoted string is not closed");
    // Escaped quotes do not close a string, and a closed one is fine.
    Config c =
        parse_ok("otp:\n  issuer: \"say \\\"hi\\\"\"\ndelivery: {email_from: 'o''brien@example.org'}\n");
    assert_string_equal(c.otp.issuer.c_str(), "say \"hi\"");
    assert_string_equal(c.delivery.email_from.c_str(), "o'brien@example.org");
}

void test_tab_indentation_is_refused(void**) {
    expect_contains(parse_error("otp:\n\tdigits: 6\n"), "test.yaml:2:1: tab character in indentation");
    expect_contains(parse_error("otp:\n  \tdigits: 6\n"), "test.yaml:2:3: tab character in indentation");
    parse_ok("otp:\n  digits: 6\t# a tab after the value is fine\n");
}

void test_second_document_is_refused(void**) {
    expect_contains(parse_error("otp: {digits: 8}\n---\notp: {digits: 6}\n"), "more than one YAML document");
}

void test_text_after_document_end_is_refused(void**) {
    expect_contains(parse_error("otp: {digits: 8}\n...\npassword: {min_length: 4}\n"),
                    "test.yaml:3:1: text after the end of the document");
    parse_ok("otp: {digits: 8}\n...\n# a comment is fine\n");
}

// Regression: yaml-cpp 0.7's LoadAll() looped forever on this input (found by
// fuzz_config), which would have hung every login reading such a file.
void test_input_that_made_yaml_cpp_loop_is_answered(void**) {
    alarm(10);
    auto r = chorus::parse_config(",tp:\n #digirecove# ojly a:  coc2me<t\n\n", kOrigin);
    alarm(0);
    assert_false(r.ok());
    expect_contains(r.error().message, "test.yaml:1:1: not a YAML mapping of sections");
}

void test_several_errors_are_reported_together(void**) {
    std::string m = parse_error(
        "otp:\n  digits: 9\n  colour: blue\npassword:\n  reject_username: yes\nstore:\n  path: relative\n");
    expect_contains(m,
                    "test.yaml:2:11: otp.digits: 9 is out of range 6..8\n"
                    "test.yaml:3:3: unknown key 'colour' in section 'otp'\n"
                    "test.yaml:5:20: password.reject_username: expected true or false, got 'yes'\n"
                    "test.yaml:7:9: store.path: must be an absolute path");
    assert_int_equal(std::count(m.begin(), m.end(), '\n'), 3);
}

void test_cross_field_rules(void**) {
    expect_contains(parse_error("password:\n  min_length: 12\n  max_length: 10\n"),
                    "test.yaml:3:3: password.max_length: 10 is below password.min_length 12");
    assert_int_equal(parse_ok("password: {min_length: 40, max_length: 0}\n").password.max_length, 0);
    expect_contains(
        parse_error("enrollment:\n  policy: grace\n"),
        "test.yaml:2:3: enrollment.policy: grace needs enrollment.grace_days or enrollment.grace_until");
    assert_int_equal(parse_ok("enrollment: {policy: grace, grace_days: 3}\n").enrollment.grace_days, 3);
    expect_contains(parse_error("store:\n  backend: postgresql\n"),
                    "test.yaml:2:3: store.backend: postgresql needs store.conninfo");
    expect_contains(parse_error("reset:\n  max_sends_per_hour: 20\n"),
                    "reset.max_sends_per_day: 10 is below reset.max_sends_per_hour 20");
    // A rejected value does not cause a second, derived complaint.
    std::string m = parse_error("password:\n  min_length: lots\n  max_length: 10\n");
    assert_int_equal(std::count(m.begin(), m.end(), '\n'), 0);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_config_equals_builtin_defaults),
        cmocka_unit_test(test_empty_or_null_document_gives_defaults),
        cmocka_unit_test(test_empty_section_keeps_defaults),
        cmocka_unit_test(test_every_key_set_to_non_default_is_read_back),
        cmocka_unit_test(test_enum_values_are_case_insensitive),
        cmocka_unit_test(test_unknown_key_names_line_and_column),
        cmocka_unit_test(test_unknown_key_in_nested_section_and_top_level),
        cmocka_unit_test(test_string_for_integer_is_refused),
        cmocka_unit_test(test_map_or_list_for_scalar_is_refused),
        cmocka_unit_test(test_bool_accepts_only_true_or_false),
        cmocka_unit_test(test_out_of_range_numbers_are_refused),
        cmocka_unit_test(test_bad_enum_is_refused),
        cmocka_unit_test(test_duplicate_key_is_refused),
        cmocka_unit_test(test_bad_date_is_refused),
        cmocka_unit_test(test_relative_path_is_refused),
        cmocka_unit_test(test_bad_strings_are_refused),
        cmocka_unit_test(test_failmode_settings),
        cmocka_unit_test(test_top_level_that_is_not_a_map_is_refused),
        cmocka_unit_test(test_syntax_error_names_line_and_column),
        cmocka_unit_test(test_truncated_file_is_refused),
        cmocka_unit_test(test_unclosed_quote_is_refused_not_swallowing_later_keys),
        cmocka_unit_test(test_tab_indentation_is_refused),
        cmocka_unit_test(test_second_document_is_refused),
        cmocka_unit_test(test_text_after_document_end_is_refused),
        cmocka_unit_test(test_input_that_made_yaml_cpp_loop_is_answered),
        cmocka_unit_test(test_several_errors_are_reported_together),
        cmocka_unit_test(test_cross_field_rules),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
