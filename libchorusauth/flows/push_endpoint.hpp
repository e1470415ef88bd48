// SPDX-License-Identifier: BSD-2-Clause
// The push endpoint (docs/PUSH.md): what chorus-web's broker answers to the
// privacyIDEA Authenticator app. A GET is a poll; a POST is a registration,
// a token update or an answer, told apart by its fields. Every message the
// app signs is verified with the key it registered before anything is read
// from it or written; the answer is a compare-and-set on the request's state.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flows/context.hpp"
#include "push/push_crypto.hpp"

namespace chorus {

struct PushHttpReply {
    int status = 500;
    std::string body;  // JSON, privacyIDEA's envelope
};

using PushFields = std::vector<std::pair<std::string, std::string>>;

PushHttpReply push_endpoint(Context& ctx, const PushSigner& signer, std::string_view method,
                            const PushFields& fields);

}  // namespace chorus
