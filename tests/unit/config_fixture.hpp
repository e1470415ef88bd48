// SPDX-License-Identifier: BSD-2-Clause
// Helpers shared by the chorus.yaml tests (schema and file safety).
#pragma once
// <fstream> before testutil.hpp: cmocka's fail() macro would clobber
// std::basic_ios::fail.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "testutil.hpp"

#include "config/config.hpp"
#include "util/trusted_file.hpp"

using chorus::Config;
using chorus::Errc;
using chorus::LoadOptions;
using chorus::MissingConfig;
using chorus_test::TempDir;
using chorus_test::write_file;

namespace config_test {

inline const std::string kOrigin = "test.yaml";

inline void expect_contains(const std::string& hay, const std::string& needle) {
    if (hay.find(needle) == std::string::npos) {
        print_error("expected to find \"%s\" in:\n%s\n", needle.c_str(), hay.c_str());
        fail();
    }
}

inline Config parse_ok(const std::string& yaml) {
    auto r = chorus::parse_config(yaml, kOrigin);
    if (!r.ok()) {
        print_error("unexpected error:\n%s\n", r.error().message.c_str());
        fail();
    }
    return *r;
}

// The full error message, after checking that parsing failed with Errc::config.
inline std::string parse_error(const std::string& yaml) {
    auto r = chorus::parse_config(yaml, kOrigin);
    if (r.ok()) {
        print_error("expected an error for:\n%s\n", yaml.c_str());
        fail();
    }
    assert_int_equal(static_cast<int>(r.code()), static_cast<int>(Errc::config));
    return r.error().message;
}

inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        print_error("cannot read %s\n", path.c_str());
        fail();
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline LoadOptions test_opts() {
    LoadOptions o;
    o.require_root_owner = false;  // the temp files belong to whoever runs the tests
    return o;
}

#define EXPECT_FIELD(a, b, field)                      \
    do {                                               \
        if (!((a).field == (b).field)) {               \
            print_error("field %s differs\n", #field); \
            ++differences;                             \
        }                                              \
    } while (0)

// Field by field so a failure names the key; the final member-wise == then
// catches any field added to Config later but not listed here.
inline void assert_same_config(const Config& a, const Config& b) {
    int differences = 0;
    EXPECT_FIELD(a, b, otp.algorithm);
    EXPECT_FIELD(a, b, otp.digits);
    EXPECT_FIELD(a, b, otp.period);
    EXPECT_FIELD(a, b, otp.window);
    EXPECT_FIELD(a, b, otp.issuer);
    EXPECT_FIELD(a, b, otp.secret_bytes);
    EXPECT_FIELD(a, b, password.min_length);
    EXPECT_FIELD(a, b, password.max_length);
    EXPECT_FIELD(a, b, password.min_classes);
    EXPECT_FIELD(a, b, password.reject_username);
    EXPECT_FIELD(a, b, password.max_repeat);
    EXPECT_FIELD(a, b, password.max_sequence);
    EXPECT_FIELD(a, b, password.blocklist);
    EXPECT_FIELD(a, b, password.enforce_for_root);
    EXPECT_FIELD(a, b, password.history.remember);
    EXPECT_FIELD(a, b, password.history.reset_allows_last);
    EXPECT_FIELD(a, b, password.history.argon2.t_cost);
    EXPECT_FIELD(a, b, password.history.argon2.m_cost_kib);
    EXPECT_FIELD(a, b, password.history.argon2.parallelism);
    EXPECT_FIELD(a, b, lockout.max_failures);
    EXPECT_FIELD(a, b, lockout.lock_seconds);
    EXPECT_FIELD(a, b, lockout.failure_window);
    EXPECT_FIELD(a, b, enrollment.policy);
    EXPECT_FIELD(a, b, enrollment.grace_days);
    EXPECT_FIELD(a, b, enrollment.grace_until);
    EXPECT_FIELD(a, b, enrollment.require_groups);
    EXPECT_FIELD(a, b, enrollment.exempt_groups);
    EXPECT_FIELD(a, b, enrollment.never_exempt_groups);
    EXPECT_FIELD(a, b, enrollment.recovery_codes);
    EXPECT_FIELD(a, b, enrollment.other_method_words);
    EXPECT_FIELD(a, b, reset.code_ttl);
    EXPECT_FIELD(a, b, reset.resend_cooldown);
    EXPECT_FIELD(a, b, reset.max_sends_per_hour);
    EXPECT_FIELD(a, b, reset.max_sends_per_day);
    EXPECT_FIELD(a, b, reset.max_attempts);
    EXPECT_FIELD(a, b, reset.lock_seconds);
    EXPECT_FIELD(a, b, delivery.helper);
    EXPECT_FIELD(a, b, delivery.timeout);
    EXPECT_FIELD(a, b, delivery.smtp_url);
    EXPECT_FIELD(a, b, delivery.email_from);
    EXPECT_FIELD(a, b, delivery.sms_url);
    EXPECT_FIELD(a, b, delivery.voice_url);
    EXPECT_FIELD(a, b, store.backend);
    EXPECT_FIELD(a, b, store.path);
    EXPECT_FIELD(a, b, store.conninfo);
    EXPECT_FIELD(a, b, store.seal_key_file);
    assert_int_equal(differences, 0);
    Config a2 = a, b2 = b;
    a2.source = b2.source = "";
    assert_true(a2 == b2);
}

}  // namespace config_test
