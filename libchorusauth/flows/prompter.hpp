// SPDX-License-Identifier: BSD-2-Clause
// How flows talk to a person: info and error text, and questions with or
// without echo. The PAM module implements it with the PAM conversation, the
// tools with a terminal; the flows never know which.
#pragma once

#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

class Prompter {
public:
    virtual ~Prompter() = default;
    virtual Status info(std::string_view text) = 0;
    virtual Status error(std::string_view text) = 0;
    // An answer, or an error when the conversation failed or was cancelled.
    virtual Result<SecretString> ask(std::string_view prompt, bool echo) = 0;
};

}  // namespace chorus
