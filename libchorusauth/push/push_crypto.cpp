// SPDX-License-Identifier: BSD-2-Clause
#include "push/push_crypto.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "otp/base32.hpp"
#include "util/fd.hpp"
#include "util/secure.hpp"
#include "util/trusted_file.hpp"

namespace chorus {
namespace {

constexpr int kGeneratedBits = 4096;

struct BioFree {
    void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

bool rsa_big_enough(const EVP_PKEY* k) {
    return k != nullptr && EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_get_bits(k) >= kMinRsaBits;
}

Result<std::vector<unsigned char>> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0 || text.size() > 8192)
        return make_error(Errc::invalid_argument, "not base64");
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return make_error(Errc::invalid_argument, "not base64");
    std::size_t pad = 0;
    while (pad < 2 && text[text.size() - 1 - pad] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

PkeyPtr app_key_from_der(const std::vector<unsigned char>& der) {
    const unsigned char* p = der.data();
    PkeyPtr k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    // Trailing bytes would make two spellings of one key.
    if (!k || p != der.data() + der.size()) return nullptr;
    return k;
}

}  // namespace

void PkeyFree::operator()(evp_pkey_st* k) const noexcept {
    EVP_PKEY_free(k);
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    return out;
}

Result<PushSigner> PushSigner::load(const std::string& path) {
    TrustedFileOptions to;
    to.require_root_owner = geteuid() == 0;
    to.secret = true;
    to.max_bytes = std::size_t{16} * 1024;
    auto read = read_trusted_file(path, to);
    if (!read.ok() && read.code() == Errc::unsafe_file) return make_error(Errc::config, read.error().message);
    CHORUS_ASSIGN_OR_RETURN(std::string pem, std::move(read));
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    secure_wipe(pem.data(), pem.size());
    if (!rsa_big_enough(key.get()))
        return make_error(Errc::config, path + ": not an RSA private key of at least 2048 bits (PEM)");
    return PushSigner(std::move(key));
}

Status PushSigner::generate(const std::string& path) {
    // The file first: an existing key is refused before any work is done.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return errno_error("create " + path, errno);
    Status st = ok_status();
    PkeyPtr key(EVP_RSA_gen(kGeneratedBits));
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!key || !bio ||
        PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        st = make_error(Errc::internal, "RSA key generation failed");
    char* data = nullptr;
    const long len = st.ok() ? BIO_get_mem_data(bio.get(), &data) : 0;
    if (st.ok()) st = write_all(fd.get(), std::string_view(data, static_cast<std::size_t>(len)));
    if (st.ok() && ::fsync(fd.get()) != 0) st = errno_error("fsync " + path, errno);
    if (!st.ok()) ::unlink(path.c_str());
    return st;
}

Result<std::string> PushSigner::sign(std::string_view msg) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key_.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(msg.data()),
                       msg.size()) != 1)
        return make_error(Errc::internal, "cannot sign");
    std::vector<std::uint8_t> sig(len);
    if (EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(msg.data()),
                       msg.size()) != 1)
        return make_error(Errc::internal, "cannot sign");
    return std::string(base32_encode(sig.data(), len, true).view());
}

Result<std::string> PushSigner::public_key_pkcs1() const {
    unsigned char* der = nullptr;
    // "type-specific" DER of an RSA public key is PKCS#1 RSAPublicKey.
    const int n = i2d_PublicKey(key_.get(), &der);
    if (n <= 0) return make_error(Errc::internal, "cannot encode the public key");
    std::string out =
        base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return out;
}

Result<std::string> normalize_app_key(std::string_view text) {
    std::string b64(text);
    for (char& c : b64) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
        if (c == ' ') c = '+';  // an unescaped '+' in a form body arrives as a space
    }
    auto der = base64_decode(b64);
    if (!der.ok()) return make_error(Errc::invalid_argument, "the public key is not base64");
    PkeyPtr key = app_key_from_der(*der);
    if (!rsa_big_enough(key.get()))
        return make_error(Errc::invalid_argument, "the public key is not an RSA key of at least 2048 bits");
    return base64_encode(std::string_view(reinterpret_cast<const char*>(der->data()), der->size()));
}

bool verify_app_signature(std::string_view app_key, std::string_view msg, std::string_view sig_b32) {
    auto der = base64_decode(app_key);
    if (!der.ok()) return false;
    PkeyPtr key = app_key_from_der(*der);
    if (!rsa_big_enough(key.get()) || sig_b32.empty() || sig_b32.size() > 2048) return false;
    auto sig = base32_decode(sig_b32);
    if (!sig.ok() || sig->empty()) return false;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    return ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
           EVP_DigestVerify(ctx.get(), sig->data(), sig->size(),
                            reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
}

}  // namespace chorus
