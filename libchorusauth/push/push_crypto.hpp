// SPDX-License-Identifier: BSD-2-Clause
// The signatures of the push protocol (docs/PUSH.md): RSASSA-PKCS1-v1_5 with
// SHA-256 over a sign string, carried as base32. The server signs the
// requests it shows the app with one site key; the app signs its messages
// with the key it made at registration. OpenSSL does the arithmetic.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

struct evp_pkey_st;

namespace chorus {

struct PkeyFree {
    void operator()(evp_pkey_st* k) const noexcept;
};
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyFree>;

inline constexpr int kMinRsaBits = 2048;

// The site's signing key: push.key_file, a root-only PEM file (like the
// seal key). Only chorus-web's broker holds it; hosts never need it.
class PushSigner {
public:
    // Errc::not_found when the file is missing; Errc::config when it is not
    // a private RSA key of at least kMinRsaBits or is not root-only.
    static Result<PushSigner> load(const std::string& path);
    // Makes a 4096-bit key at path (which must not exist), mode 0600.
    static Status generate(const std::string& path);

    // base32 (with padding) signature over msg.
    Result<std::string> sign(std::string_view msg) const;
    // The public half as the app wants it: PKCS#1 RSAPublicKey DER, base64.
    Result<std::string> public_key_pkcs1() const;

private:
    explicit PushSigner(PkeyPtr k) : key_(std::move(k)) {}
    PkeyPtr key_;
};

// The app's public key from a registration, decoded leniently as privacyIDEA
// does ('-' '_' ' ' mapped back to base64), checked to be RSA of at least
// kMinRsaBits, and returned as canonical base64 DER SubjectPublicKeyInfo.
Result<std::string> normalize_app_key(std::string_view text);

// Whether sig_b32 is a valid signature over msg by app_key (as stored).
// Any malformed input is simply "not valid".
bool verify_app_signature(std::string_view app_key, std::string_view msg, std::string_view sig_b32);

std::string base64_encode(std::string_view bytes);

}  // namespace chorus
