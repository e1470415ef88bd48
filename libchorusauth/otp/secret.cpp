// SPDX-License-Identifier: BSD-2-Clause
#include "otp/secret.hpp"

#include <string>

namespace chorus {

int default_secret_bytes(HashAlgorithm alg) {
    return static_cast<int>(algorithm_digest_size(alg));
}

Result<SecretBytes> generate_secret(HashAlgorithm alg, int bytes) {
    if (bytes == 0) bytes = default_secret_bytes(alg);
    if (bytes < kMinSecretBytes || bytes > kMaxSecretBytes) {
        return make_error(Errc::invalid_argument, "secret length must be " + std::to_string(kMinSecretBytes) +
                                                      " to " + std::to_string(kMaxSecretBytes) + " bytes");
    }
    SecretBytes key(static_cast<std::size_t>(bytes));
    if (!random_bytes(key.data(), key.size())) {
        return make_error(Errc::internal, "the system random number generator failed");
    }
    return key;
}

}  // namespace chorus
