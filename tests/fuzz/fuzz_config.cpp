// SPDX-License-Identifier: BSD-2-Clause
// chorus.yaml text -> parse_config. Invariants: an accepted config is within
// every documented bound and parses the same way twice; a refused one names
// the origin on every line of its message and carries no raw control
// characters (the message reaches logs and terminals).
#include <string>

#include "config/config.hpp"
#include "fuzz_common.hpp"

namespace {

bool in(int v, int lo, int hi) {
    return v >= lo && v <= hi;
}

void check_bounds(const chorus::Config& c) {
    FUZZ_CHECK(in(c.otp.digits, 6, 8));
    FUZZ_CHECK(in(c.otp.period, 15, 300));
    FUZZ_CHECK(in(c.otp.window, 0, 10));
    FUZZ_CHECK(c.otp.secret_bytes == 0 || in(c.otp.secret_bytes, 16, 64));
    const chorus::PasswordConfig& p = c.password;
    FUZZ_CHECK(in(p.min_length, 1, 1024));
    FUZZ_CHECK(p.max_length == 0 || (p.max_length >= p.min_length && p.max_length <= 4096));
    FUZZ_CHECK(in(p.min_classes, 0, 4));
    FUZZ_CHECK(in(p.max_repeat, 0, 1024));
    FUZZ_CHECK(p.max_sequence == 0 || in(p.max_sequence, 2, 1024));
    FUZZ_CHECK(in(p.history.remember, 0, 64));
    FUZZ_CHECK(p.history.argon2.t_cost >= 1 && p.history.argon2.t_cost <= 100);
    FUZZ_CHECK(p.history.argon2.m_cost_kib >= 8192 && p.history.argon2.m_cost_kib <= 4194304);
    FUZZ_CHECK(p.history.argon2.parallelism >= 1 && p.history.argon2.parallelism <= 16);
    FUZZ_CHECK(in(c.lockout.max_failures, 1, 1000));
    FUZZ_CHECK(in(c.lockout.lock_seconds, 1, 604800));
    FUZZ_CHECK(in(c.lockout.failure_window, 1, 604800));
    FUZZ_CHECK(in(c.enrollment.grace_days, 0, 3650));
    FUZZ_CHECK(in(c.enrollment.recovery_codes, 0, 50));
    FUZZ_CHECK(in(c.reset.code_ttl, 60, 3600));
    FUZZ_CHECK(in(c.reset.resend_cooldown, 0, 3600));
    FUZZ_CHECK(in(c.reset.max_sends_per_hour, 1, 100));
    FUZZ_CHECK(in(c.reset.max_sends_per_day, c.reset.max_sends_per_hour, 1000));
    FUZZ_CHECK(in(c.reset.max_attempts, 1, 100));
    FUZZ_CHECK(in(c.reset.lock_seconds, 1, 604800));
    FUZZ_CHECK(in(c.delivery.timeout, 1, 300));
    FUZZ_CHECK(!c.delivery.helper.empty() && c.delivery.helper[0] == '/');
    FUZZ_CHECK(!c.store.path.empty() && c.store.path[0] == '/');
    FUZZ_CHECK(c.store.seal_key_file.empty() || c.store.seal_key_file[0] == '/');
    FUZZ_CHECK(c.password.blocklist.empty() || c.password.blocklist[0] == '/');
    FUZZ_CHECK(c.store.backend != chorus::StoreBackend::postgresql || !c.store.conninfo.empty());
    if (c.enrollment.policy == chorus::EnrollPolicy::grace)
        FUZZ_CHECK(c.enrollment.grace_days != 0 || c.enrollment.grace_until != 0);
}

void check_message(std::string_view msg, std::string_view origin) {
    if (std::getenv("FUZZ_VERBOSE") != nullptr)
        std::fprintf(stderr, "message: %.*s\n", int(msg.size()), msg.data());
    FUZZ_CHECK(!msg.empty());
    std::size_t start = 0;
    while (start <= msg.size()) {
        std::size_t end = msg.find('\n', start);
        if (end == std::string_view::npos) end = msg.size();
        std::string_view line = msg.substr(start, end - start);
        FUZZ_CHECK(line.substr(0, origin.size() + 1) == std::string(origin) + ":");
        for (unsigned char ch : line) FUZZ_CHECK(ch >= 0x20 && ch != 0x7f);
        start = end + 1;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string origin = "fuzz.yaml";
    std::string_view text = chorus_fuzz::as_text(data, size);
    auto r = chorus::parse_config(text, origin);
    if (!r.ok()) {
        FUZZ_CHECK(r.code() == chorus::Errc::config || r.code() == chorus::Errc::no_memory);
        if (r.code() == chorus::Errc::config) check_message(r.error().message, origin);
        return 0;
    }
    check_bounds(*r);
    FUZZ_CHECK(r->source == origin);
    auto again = chorus::parse_config(text, origin);
    FUZZ_CHECK(again.ok() && *again == *r);
    return 0;
}
