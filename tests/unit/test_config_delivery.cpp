// SPDX-License-Identifier: BSD-2-Clause
// chorus.yaml, delivery: the templated gateway requests (issue #5): URL
// placeholders only after the host, and delivery.gateway_headers (tokens,
// none of the headers chorus-deliver sets itself, known placeholders).
#include "config_fixture.hpp"
#include "flows/deliver.hpp"

using namespace config_test;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

void test_gateway_url_placeholders_after_the_host_are_accepted(void**) {
    Config c = parse_ok(
        "delivery:\n"
        "  sms_url: \"https://sms.example.org/v1/{to}/send?text={message}&from={host}&x={{1}}\"\n"
        "  voice_url: \"http://127.0.0.1:8080?to={to}\"\n");
    assert_string_equal(c.delivery.sms_url.c_str(),
                        "https://sms.example.org/v1/{to}/send?text={message}&from={host}&x={{1}}");
    assert_string_equal(c.delivery.voice_url.c_str(), "http://127.0.0.1:8080?to={to}");
}

void test_gateway_url_placeholder_before_the_path_is_refused(void**) {
    const std::string where = "placeholders are not allowed in the scheme, host or port";
    expect_contains(parse_error("delivery:\n  sms_url: \"http://{host}/sms\"\n"),
                    "test.yaml:2:12: delivery.sms_url: " + where);
    expect_contains(parse_error("delivery:\n  voice_url: \"https://gw.example.org:{to}/call\"\n"),
                    "test.yaml:2:14: delivery.voice_url: " + where);
    expect_contains(parse_error("delivery:\n  sms_url: \"http://{to}@gw.example.org/\"\n"), where);
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw.example.org{message}\"\n"), where);
    expect_contains(parse_error("delivery:\n  sms_url: \"https://gw.example.org{{x}}/\"\n"), where);
}

void test_gateway_url_other_mistakes_are_refused(void**) {
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw/{code}\"\n"),
                    "delivery.sms_url: unknown placeholder {code} (expected {to}, {message}, {host})");
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw/{subject}\"\n"),
                    "unknown placeholder {subject}");
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw/{to\"\n"),
                    "delivery.sms_url: unclosed '{'");
    expect_contains(parse_error("delivery:\n  voice_url: \"http://gw/a}\"\n"),
                    "delivery.voice_url: unmatched '}'");
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw/a b\"\n"),
                    "spaces are not allowed in a URL");
    expect_contains(parse_error("delivery:\n  sms_url: \"http:///sms\"\n"),
                    "delivery.sms_url: no host after http://");
    expect_contains(parse_error("delivery:\n  sms_url: \"ftp://gw/{to}\"\n"),
                    "expected a URL starting with http://");
    expect_contains(parse_error("delivery:\n  sms_url: \"http://gw/" + std::string(2048, 'a') + "\"\n"),
                    "delivery.sms_url: longer than 2048 bytes");
}

void test_gateway_headers_are_read_in_file_order(void**) {
    Config c = parse_ok(
        "delivery:\n"
        "  gateway_headers:\n"
        "    X-Api-Version: 2\n"
        "    x-request-to: \"{to}\"\n"
        "    \"X-Tchars!#$%&'*+.^_`|~\": \"{{braces}} from {host}\"\n");
    assert_true(
        (c.delivery.gateway_headers == Headers{{"X-Api-Version", "2"},
                                               {"x-request-to", "{to}"},
                                               {"X-Tchars!#$%&'*+.^_`|~", "{{braces}} from {host}"}}));
    Config all = parse_ok(read_text_file(CHORUS_TEST_DATA "/config/all_keys.yaml"));
    assert_true((all.delivery.gateway_headers == Headers{{"X-Api-Version", "2"}, {"X-Request-To", "{to}"}}));
    assert_true(parse_ok("delivery:\n  gateway_headers: {}\n").delivery.gateway_headers.empty());
    assert_true(parse_ok("delivery:\n  gateway_headers:\n").delivery.gateway_headers.empty());
}

// The settings the library hands chorus-deliver in each request: every key
// of the parsed configuration, each single key once, a newline and a
// backslash escaped so that no value can start a header line of its own.
void test_request_carries_every_setting_escaped(void**) {
    Config c = parse_ok(
        "delivery:\n"
        "  timeout: 9\n"
        "  sms_url: \"http://gw/sms\"\n"
        "  sms_body: \"line one\\nchannel: voice\\\\x\"\n"
        "  sms_format: form\n"
        "  gateway_headers: {X-A: 1, X-B: \"{to}\"}\n"
        "  command: /usr/local/bin/send\n"
        "  command_channels: [sms, voice]\n");
    const std::string h = chorus::delivery_settings_header(c.delivery);
    expect_contains(h, "timeout: 9\n");
    expect_contains(h, "sms_url: http://gw/sms\n");
    expect_contains(h, "sms_body: line one\\nchannel: voice\\\\x\n");
    expect_contains(h, "sms_format: form\n");
    expect_contains(h, "gateway_auth: none\n");
    expect_contains(h, "gateway_header: X-A: 1\ngateway_header: X-B: {to}\n");
    expect_contains(h, "command_channel: sms\ncommand_channel: voice\n");
    assert_true(h.find("\nchannel: ") == std::string::npos);  // the template's newline did not start a line
    for (const char* key : {"timeout", "smtp_url", "email_from", "sms_url", "voice_url", "email_subject",
                            "email_body", "sms_body", "voice_message", "sms_format", "sms_field_to",
                            "sms_field_message", "gateway_auth", "gateway_token_file", "command"}) {
        const std::string line = std::string("\n") + key + ": ";
        const std::string all = "\n" + h;
        const std::size_t first = all.find(line);
        if (first == std::string::npos || all.find(line, first + 1) != std::string::npos)
            fail_msg("%s is not written exactly once", key);
    }
    const chorus::SecretString req =
        chorus::delivery_request(c.delivery, chorus::Channel::sms, "+6421555123", "", "the body");
    const std::string text(req.view());
    assert_int_equal(text.rfind("channel: sms\nto: +6421555123\nsubject: \n", 0), 0);
    assert_int_equal(text.find("\n\n"), text.size() - std::string("\n\nthe body").size());
}

void test_gateway_headers_set_by_the_tool_are_refused(void**) {
    for (const char* name : {"Authorization", "content-type", "Content-Length", "HOST", "Transfer-Encoding",
                             "Accept", "User-Agent", "Expect", "Connection"}) {
        std::string m = parse_error("delivery:\n  gateway_headers:\n    " + std::string(name) + ": x\n");
        expect_contains(m, "test.yaml:3:5: delivery.gateway_headers: header '" + std::string(name) +
                               "' is set by chorus-deliver itself and cannot be configured");
    }
    expect_contains(parse_error("delivery:\n  gateway_headers: {Authorization: \"Bearer abc\"}\n"),
                    "(use gateway_auth and gateway_token_file)");
}

void test_gateway_header_mistakes_are_refused(void**) {
    const std::string pre = "delivery:\n  gateway_headers:\n    ";
    expect_contains(parse_error(pre + "\"X Bad\": 1\n"),
                    "test.yaml:3:5: delivery.gateway_headers: header name 'X Bad' is not an HTTP token");
    expect_contains(parse_error(pre + "\"X(y)\": 1\n"), "header name 'X(y)' is not an HTTP token");
    expect_contains(parse_error(pre + "\"\": 1\n"), "header name '' is not an HTTP token");
    expect_contains(parse_error(pre + std::string(65, 'X') + ": 1\n"), "is not an HTTP token (1..64");
    expect_contains(
        parse_error(pre + "X-A: 1\n    x-a: 2\n"),
        "test.yaml:4:5: delivery.gateway_headers: header 'x-a' is given twice (names are case-insensitive)");
    expect_contains(
        parse_error(pre + "X-A: \"{code}\"\n"),
        "test.yaml:3:10: delivery.gateway_headers.X-A: unknown placeholder {code} (expected {to}, "
        "{message}, {host})");
    expect_contains(parse_error(pre + "X-A: \"\"\n"), "delivery.gateway_headers.X-A: must not be empty");
    expect_contains(parse_error(pre + "X-A: \"  \"\n"), "delivery.gateway_headers.X-A: must not be blank");
    expect_contains(parse_error(pre + "X-A: \"a\\r\\nX-B: b\"\n"),
                    "delivery.gateway_headers.X-A: control characters are not allowed");
    expect_contains(parse_error(pre + "X-A: [1, 2]\n"), "delivery.gateway_headers.X-A: expected a string");
    expect_contains(parse_error(pre + "X-A: \"" + std::string(1025, 'a') + "\"\n"), "longer than 1024 bytes");
    expect_contains(parse_error("delivery:\n  gateway_headers: [X-A]\n"),
                    "test.yaml:2:20: delivery.gateway_headers: expected a mapping of header names to values");
    std::string many = "delivery:\n  gateway_headers:\n";
    for (int i = 0; i < 33; ++i) many += "    X-" + std::to_string(i) + ": v\n";
    expect_contains(parse_error(many), "delivery.gateway_headers: more than 32 headers");
    // Every bad entry is listed, not just the first.
    std::string m = parse_error(pre + "Host: a\n    X-Ok: b\n    \"X Y\": c\n");
    expect_contains(m, "header 'Host'");
    expect_contains(m, "header name 'X Y'");
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gateway_url_placeholders_after_the_host_are_accepted),
        cmocka_unit_test(test_gateway_url_placeholder_before_the_path_is_refused),
        cmocka_unit_test(test_gateway_url_other_mistakes_are_refused),
        cmocka_unit_test(test_gateway_headers_are_read_in_file_order),
        cmocka_unit_test(test_request_carries_every_setting_escaped),
        cmocka_unit_test(test_gateway_headers_set_by_the_tool_are_refused),
        cmocka_unit_test(test_gateway_header_mistakes_are_refused),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
