// SPDX-License-Identifier: BSD-2-Clause
#include "util/seal.hpp"

#include <openssl/evp.h>

#include <memory>

namespace chorus {
namespace {

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

constexpr int kNonce = 12;
constexpr int kTag = 16;

Error crypto_error(const char* what) {
    return make_error(Errc::internal, std::string("AES-GCM ") + what + " failed");
}

}  // namespace

Result<SecretBytes> seal(const SecretBytes& key, const SecretBytes& plaintext, std::string_view context) {
    if (key.size() != kSealKeyBytes) return make_error(Errc::config, "seal key must be 32 bytes");
    SecretBytes out(kNonce + plaintext.size() + kTag);
    if (!random_bytes(out.data(), kNonce)) return make_error(Errc::io, "getrandom failed");
    CipherCtx c(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!c || EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) != 1)
        return crypto_error("init");
    if (EVP_EncryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                          static_cast<int>(context.size())) != 1 ||
        EVP_EncryptUpdate(c.get(), out.data() + kNonce, &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(c.get(), out.data() + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, kTag, out.data() + kNonce + plaintext.size()) != 1)
        return crypto_error("encrypt");
    return out;
}

Result<SecretBytes> unseal(const SecretBytes& key, const SecretBytes& sealed, std::string_view context) {
    if (key.size() != kSealKeyBytes) return make_error(Errc::config, "seal key must be 32 bytes");
    if (sealed.size() < kSealOverhead) return make_error(Errc::corrupt, "sealed value too short");
    const std::size_t n = sealed.size() - kSealOverhead;
    SecretBytes out(n);
    CipherCtx c(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!c || EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) != 1)
        return crypto_error("init");
    std::uint8_t tag[kTag];
    std::copy(sealed.end() - kTag, sealed.end(), tag);
    if (EVP_DecryptUpdate(c.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                          static_cast<int>(context.size())) != 1 ||
        EVP_DecryptUpdate(c.get(), out.data(), &len, sealed.data() + kNonce, static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag) != 1)
        return crypto_error("decrypt");
    if (EVP_DecryptFinal_ex(c.get(), out.data() + len, &len) != 1)
        return make_error(Errc::corrupt,
                          "sealed key does not open with this seal key (wrong key, or moved record)");
    return out;
}

Result<SecretBytes> parse_seal_key(std::string_view text) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (text.size() != kSealKeyBytes * 2)
        return make_error(Errc::config, "seal key file must hold 64 hex digits");
    SecretBytes key(kSealKeyBytes);
    for (std::size_t i = 0; i < kSealKeyBytes; ++i) {
        auto nib = [](char ch) -> int {
            if (ch >= '0' && ch <= '9') return ch - '0';
            if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
            if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
            return -1;
        };
        int hi = nib(text[2 * i]), lo = nib(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return make_error(Errc::config, "seal key file must hold 64 hex digits");
        key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return key;
}

}  // namespace chorus
