// SPDX-License-Identifier: BSD-2-Clause
#include "util/secure.hpp"

#include <openssl/crypto.h>
#include <sys/random.h>

#include <cerrno>

namespace chorus {

void secure_wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

bool ct_equal(const void* a, std::size_t alen, const void* b, std::size_t blen) noexcept {
    if (alen != blen) return false;  // lengths are not secret (codes have public lengths)
    if (alen == 0) return true;
    return CRYPTO_memcmp(a, b, alen) == 0;
}

bool random_bytes(void* buf, std::size_t n) noexcept {
    auto* out = static_cast<unsigned char*>(buf);
    while (n > 0) {
        ssize_t got = getrandom(out, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        out += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

}  // namespace chorus
