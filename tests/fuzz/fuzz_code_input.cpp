// SPDX-License-Identifier: BSD-2-Clause
// Code input at login: verify_code() on a Context over a private state
// directory with one enrolled user ("alice": the RFC 6238 test key, TOTP
// SHA1/6/30, and two recovery codes) and a pinned clock. Before every input
// alice's state is put back, so each input is judged on its own.
// The first byte chooses the case; the rest is the input:
//   0  alice types the rest;
//   1  an unknown user types the rest: always bad_code;
//   2  the rest is "user\ncode": only alice can ever succeed;
//   3  alice types the rest twice: a code that worked must not work again;
// and the recovery-code helpers (normalize_code, code_matches) see it too.
// Invariants: success only for a current TOTP code (digits only, in the
// window) or an unused recovery code; the state then records it; no log line
// holds the code.
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "flows/context.hpp"
#include "flows/enroll.hpp"
#include "flows/recovery_codes.hpp"
#include "flows/verify.hpp"
#include "fuzz_common.hpp"
#include "otp/hotp.hpp"

namespace {

constexpr std::int64_t kT0 = 1'800'000'000;  // the pinned "now"
const char kUser[] = "alice";
const char* const kRecovery[] = {"ABCD-EFGH-JKLM", "NPQR-STUV-WXYZ"};

std::vector<std::string> g_log;

void capture(void*, int, const char* message) {
    g_log.emplace_back(message);
}

struct World {
    chorus_fuzz::ScratchDir dir;
    std::shared_ptr<chorus::FixedClock> clock = std::make_shared<chorus::FixedClock>(kT0);
    chorus::Context ctx;
    chorus::UserRecord record;      // alice's record as enrolled
    std::set<std::string> totp_ok;  // codes accepted now (window 1)

    World() {
        ctx.config.store.path = dir.file("state");
        auto store = chorus::open_store(ctx.config.store);
        FUZZ_CHECK(store.ok());
        ctx.store = std::move(store).value();
        ctx.clock = clock;
        ctx.log = chorus::Logger(capture, nullptr, true);

        chorus::EnrollRequest req;
        req.secret_base32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";  // "12345678901234567890"
        auto e = chorus::enrollment_prepare(ctx, kUser, req);
        FUZZ_CHECK(e.ok());
        FUZZ_CHECK(chorus::enrollment_commit(ctx, *e, "").ok());
        std::vector<chorus::SecretString> codes;
        for (const char* c : kRecovery) codes.emplace_back(c);
        FUZZ_CHECK(chorus::recovery_codes_import(ctx, kUser, codes).ok());

        auto txn = ctx.store->begin(kUser);
        FUZZ_CHECK(txn.ok());
        auto rec = (*txn)->record();
        FUZZ_CHECK(rec.ok() && rec->has_value() && (*rec)->totp && (*rec)->recovery.size() == 2);
        record = **rec;

        static const char key[] = "12345678901234567890";
        const std::uint64_t now = chorus::totp_step(kT0, 30);
        for (std::uint64_t s = now - 1; s <= now + 1; ++s) {
            auto c = chorus::hotp(chorus::HashAlgorithm::sha1, reinterpret_cast<const std::uint8_t*>(key), 20,
                                  s, 6);
            FUZZ_CHECK(c.ok());
            totp_ok.emplace(c->view());
        }
    }

    // alice back to her enrolled state: no failures, no accepted step, both
    // recovery codes unused.
    void reset() {
        auto txn = ctx.store->begin(kUser);
        FUZZ_CHECK(txn.ok());
        auto rec = (*txn)->record();
        FUZZ_CHECK(rec.ok() && rec->has_value());
        if ((*rec)->recovery.size() != record.recovery.size()) FUZZ_CHECK((*txn)->put_record(record).ok());
        FUZZ_CHECK((*txn)->put_live(chorus::LiveState{}).ok());
    }

    chorus::LiveState live() {
        auto txn = ctx.store->begin(kUser);
        FUZZ_CHECK(txn.ok());
        auto l = (*txn)->live();
        FUZZ_CHECK(l.ok());
        return *l;
    }
};

World& world() {
    static World w;
    return w;
}

bool is_recovery(std::string_view code) {
    chorus::SecretString n = chorus::normalize_code(code);
    for (const char* c : kRecovery)
        if (chorus::normalize_code(c).view() == n.view()) return true;
    return false;
}

// Judges one verify_code() answer for alice.
void check_alice(World& w, std::string_view code, const chorus::Status& st,
                 const chorus::VerifyOutcome& out) {
    if (!st.ok()) {
        FUZZ_CHECK(st.code() == chorus::Errc::bad_code || st.code() == chorus::Errc::replay ||
                   st.code() == chorus::Errc::locked);
        FUZZ_CHECK(out.method == chorus::CodeMethod::none);
        return;
    }
    FUZZ_CHECK(code.size() <= chorus::kMaxCodeInput);
    if (out.method == chorus::CodeMethod::totp) {
        FUZZ_CHECK(w.totp_ok.count(std::string(code)) == 1);
        FUZZ_CHECK(w.live().last_step >= chorus::totp_step(kT0, 30) - 1);
    } else {
        FUZZ_CHECK(out.method == chorus::CodeMethod::recovery);
        FUZZ_CHECK(is_recovery(code));
    }
    FUZZ_CHECK(w.live().failures == 0);
}

// Lines the flow logs for `user` whatever the code: a wrong code's lines.
// A code that is a substring of them (the fuzzer finds message words
// quickly) proves nothing; any other secret-like code must not appear.
std::vector<std::string> baseline_lines(World& w, std::string_view user) {
    w.reset();
    g_log.clear();
    chorus::VerifyOutcome out;
    (void)chorus::verify_code(w.ctx, user, "\x01", out);
    std::vector<std::string> lines = std::move(g_log);
    g_log.clear();
    return lines;
}

bool secret_like(std::string_view code) {
    if (code.size() >= 8) return true;
    if (code.size() < 6) return false;
    for (char c : code)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

void check_logs(World& w, std::string_view user, std::string_view code,
                const std::vector<std::string>& lines) {
    if (!secret_like(code)) return;
    for (const std::string& line : baseline_lines(w, user))
        if (line.find(code) != std::string::npos) return;
    for (const std::string& line : lines) FUZZ_CHECK(line.find(code) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    World& w = world();
    w.reset();
    g_log.clear();
    const int mode = data[0] % 4;
    std::string_view input = chorus_fuzz::as_text(data + 1, size - 1);
    chorus::VerifyOutcome out;

    switch (mode) {
    case 0: {
        chorus::Status st = chorus::verify_code(w.ctx, kUser, input, out);
        check_alice(w, input, st, out);
        break;
    }
    case 1: {
        chorus::Status st = chorus::verify_code(w.ctx, "mallory", input, out);
        FUZZ_CHECK(!st.ok() && st.code() == chorus::Errc::bad_code);
        break;
    }
    case 2: {
        std::size_t nl = input.find('\n');
        std::string_view user = input.substr(0, nl);
        std::string_view code = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
        chorus::Status st = chorus::verify_code(w.ctx, user, code, out);
        if (user == kUser)
            check_alice(w, code, st, out);
        else
            FUZZ_CHECK(!st.ok() && st.code() == chorus::Errc::bad_code);
        std::vector<std::string> lines = std::move(g_log);
        check_logs(w, user, code, lines);
        break;
    }
    case 3: {
        chorus::Status first = chorus::verify_code(w.ctx, kUser, input, out);
        check_alice(w, input, first, out);
        const bool worked = first.ok();
        chorus::Status second = chorus::verify_code(w.ctx, kUser, input, out);
        check_alice(w, input, second, out);
        if (worked) FUZZ_CHECK(!second.ok());
        break;
    }
    }
    if (mode != 2) {
        std::vector<std::string> lines = std::move(g_log);
        check_logs(w, mode == 1 ? "mallory" : kUser, input, lines);
    }

    // The recovery-code helpers on the same bytes.
    chorus::SecretString n = chorus::normalize_code(input);
    FUZZ_CHECK(chorus::normalize_code(n.view()).view() == n.view());
    for (char c : n.view())
        FUZZ_CHECK(c != ' ' && c != '-' && c != '\t' && !std::islower(static_cast<unsigned char>(c)));
    (void)chorus::code_matches(input, "ABCDEFGHJKLM");  // the input as a stored hash
    int matches = 0;
    for (const auto& h : w.record.recovery) matches += chorus::code_matches(h.hash, n.view()) ? 1 : 0;
    FUZZ_CHECK(matches == (is_recovery(input) ? 1 : 0));
    return 0;
}
