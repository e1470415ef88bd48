// SPDX-License-Identifier: BSD-2-Clause
// otpauth:// URIs (imported keys) -> parse_otpauth_uri. Invariants: an
// accepted URI is within the documented bounds; building it back succeeds,
// stays under the size limit and parses to the same fields; building is
// deterministic (a second parse -> build gives the same text).
#include <string>

#include "fuzz_common.hpp"
#include "otp/otpauth_uri.hpp"

namespace {

bool same(const chorus::OtpauthUri& a, const chorus::OtpauthUri& b) {
    return a.type == b.type && a.issuer == b.issuer && a.account == b.account && a.secret == b.secret &&
           a.algorithm == b.algorithm && a.digits == b.digits &&
           (a.type == chorus::OtpType::totp ? a.period == b.period : a.counter == b.counter);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto u = chorus::parse_otpauth_uri(chorus_fuzz::as_text(data, size));
    if (!u.ok()) {
        FUZZ_CHECK(u.code() == chorus::Errc::invalid_argument);
        return 0;
    }
    FUZZ_CHECK(size <= chorus::kMaxOtpauthUriBytes);
    FUZZ_CHECK(!u->account.empty());
    FUZZ_CHECK(u->account.size() <= chorus::kMaxOtpauthNameBytes &&
               u->issuer.size() <= chorus::kMaxOtpauthNameBytes);
    FUZZ_CHECK(u->secret.size() >= chorus::kMinOtpauthSecretBytes &&
               u->secret.size() <= chorus::kMaxOtpauthSecretBytes);
    FUZZ_CHECK(u->digits >= 6 && u->digits <= 8);
    if (u->type == chorus::OtpType::totp)
        FUZZ_CHECK(u->period >= chorus::kMinOtpPeriod && u->period <= chorus::kMaxOtpPeriod);
    for (unsigned char c : u->issuer + u->account) FUZZ_CHECK(c >= 0x20 && c != 0x7f);

    auto built = chorus::build_otpauth_uri(*u);
    FUZZ_CHECK(built.ok());
    FUZZ_CHECK(built->view().size() <= chorus::kMaxOtpauthUriBytes);
    auto back = chorus::parse_otpauth_uri(built->view());
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(same(*u, *back));
    auto rebuilt = chorus::build_otpauth_uri(*back);
    FUZZ_CHECK(rebuilt.ok() && rebuilt->view() == built->view());
    return 0;
}
