// SPDX-License-Identifier: BSD-2-Clause
// The per-user record file ("<user>.rec") -> parse_record. The first byte
// chooses how the rest is used:
//   even  the rest is the whole file, as read from disk;
//   odd   the rest is the body, and the target appends the right checksum
//         line, so mutations reach the field parser instead of all failing
//         the SHA-256 check.
// Invariants: a parsed record validates, encodes, and the encoding parses to
// an equal record and encodes to the same bytes again.
#include <openssl/evp.h>

#include <string>

#include "fuzz_common.hpp"
#include "store/record_codec.hpp"

namespace {

std::string sha256_hex(std::string_view s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(s.data(), s.size(), md, &len, EVP_sha256(), nullptr) != 1) std::abort();
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 0xf];
    }
    return out;
}

bool same(const chorus::UserRecord& a, const chorus::UserRecord& b) {
    if (a.totp.has_value() != b.totp.has_value()) return false;
    if (a.totp) {
        const chorus::TotpKey &x = *a.totp, &y = *b.totp;
        if (x.secret != y.secret || x.params.algorithm != y.params.algorithm ||
            x.params.digits != y.params.digits || x.params.period != y.params.period || x.window != y.window)
            return false;
    }
    if (a.recovery.size() != b.recovery.size()) return false;
    for (std::size_t i = 0; i < a.recovery.size(); ++i)
        if (a.recovery[i].hash != b.recovery[i].hash) return false;
    if (a.phone != b.phone || a.email != b.email || a.default_method != b.default_method ||
        a.history != b.history || a.first_seen != b.first_seen || a.enrolled_at != b.enrolled_at ||
        a.phone2 != b.phone2 || a.phone_proven_at != b.phone_proven_at ||
        a.email_proven_at != b.email_proven_at || a.phone2_proven_at != b.phone2_proven_at)
        return false;
    if (a.reset.has_value() != b.reset.has_value()) return false;
    if (a.reset) {
        const chorus::PendingReset &x = *a.reset, &y = *b.reset;
        if (x.code_hash != y.code_hash || x.reset_id != y.reset_id || x.expires_at != y.expires_at ||
            x.last_sent_at != y.last_sent_at || x.attempts != y.attempts || x.sends != y.sends ||
            x.locked_until != y.locked_until)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string text(chorus_fuzz::as_text(data + 1, size - 1));
    if (data[0] & 1) text += "sha256 " + sha256_hex(text) + "\n";

    auto rec = chorus::parse_record(text);
    if (!rec.ok()) {
        FUZZ_CHECK(rec.code() == chorus::Errc::corrupt);
        return 0;
    }
    FUZZ_CHECK(chorus::validate_record(*rec).ok());
    auto enc = chorus::encode_record(*rec);
    FUZZ_CHECK(enc.ok());
    auto again = chorus::parse_record(enc->view());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(same(*rec, *again));
    auto enc2 = chorus::encode_record(*again);
    FUZZ_CHECK(enc2.ok() && enc2->view() == enc->view());
    return 0;
}
