// SPDX-License-Identifier: BSD-2-Clause
// otpauth:// URIs (the Google Authenticator "Key Uri Format") that every
// common app imports from a QR code: build one for enrollment, parse one for
// import. The parser sees untrusted input (and a fuzzer), so every length,
// number and escape is checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "otp/hotp.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

inline constexpr std::size_t kMaxOtpauthUriBytes = 4096;
// Issuer and account, after percent-decoding.
inline constexpr std::size_t kMaxOtpauthNameBytes = 256;
// Imported keys may be shorter than the 16 bytes we generate: the
// google-authenticator PAM module and many web sites issue 10-byte (80-bit)
// keys, and refusing them would make migration impossible.
inline constexpr std::size_t kMinOtpauthSecretBytes = 10;
inline constexpr std::size_t kMaxOtpauthSecretBytes = 128;
inline constexpr int kMinOtpPeriod = 15;  // same range as chorus.yaml otp.period
inline constexpr int kMaxOtpPeriod = 300;

enum class OtpType { totp, hotp };

struct OtpauthUri {
    OtpType type = OtpType::totp;
    std::string issuer;  // may be empty
    std::string account;
    SecretBytes secret;
    HashAlgorithm algorithm = HashAlgorithm::sha1;
    int digits = 6;
    int period = 30;            // totp only
    std::uint64_t counter = 0;  // hotp only
};

// otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// (hotp: counter=N instead of period). Issuer and account are percent-encoded
// (space as %20), the colon between them is literal, the secret is unpadded
// base32; with an empty issuer the label is just ACCOUNT and there is no
// issuer parameter. Errc::invalid_argument for an empty account, names that
// are too long, not UTF-8 or contain control characters, a ':' in the account
// when there is no issuer (it would read back as an issuer), or digits,
// period or secret length out of range. The URI holds the key: SecretString.
Result<SecretString> build_otpauth_uri(const OtpauthUri& u);

// The enrollment case: a TOTP URI from the configured issuer, the user name
// and a new key. Fails (rather than emitting a URI an app would misread) for
// the same reasons as build_otpauth_uri.
Result<SecretString> make_otpauth_uri(std::string_view issuer, std::string_view account,
                                      const SecretBytes& secret, const TotpParams& p = {});

// Parses a URI of the form above. Accepts: scheme and type in any case; the
// issuer/account separator literal or as %3A; spaces before the account;
// parameter names in any case; parameters in any order; unknown parameters
// (ignored, but their escapes must still be valid); a #fragment (ignored).
// Rejects (Errc::invalid_argument): URIs over kMaxOtpauthUriBytes, raw bytes
// outside printable ASCII, malformed %-escapes anywhere, a known parameter
// given twice, a parameter without '=', a missing/invalid secret, algorithm
// other than SHA1/SHA256/SHA512, digits outside 6..8, period outside
// kMinOtpPeriod..kMaxOtpPeriod, hotp without a counter, an issuer parameter
// that contradicts the label prefix, and names that fail the build checks.
Result<OtpauthUri> parse_otpauth_uri(std::string_view uri);

}  // namespace chorus
