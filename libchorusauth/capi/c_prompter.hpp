// SPDX-License-Identifier: BSD-2-Clause
// The C prompter callbacks seen as a chorus::Prompter.
#pragma once

#include <cstdlib>
#include <cstring>

#include "capi/capi_internal.hpp"
#include "flows/prompter.hpp"

namespace chorus {
// The C callbacks seen as a chorus::Prompter.
class CPrompter final : public Prompter {
public:
    explicit CPrompter(const chorus_prompter& p) : p_(p) {}

    chorus::Status info(std::string_view text) override { return show(CHORUS_MSG_INFO, text); }
    chorus::Status error(std::string_view text) override { return show(CHORUS_MSG_ERROR, text); }

    chorus::Result<chorus::SecretString> ask(std::string_view prompt, bool echo) override {
        if (p_.ask == nullptr) return chorus::make_error(chorus::Errc::unsupported, "no way to ask the user");
        std::string q(prompt);
        char* answer = nullptr;
        if (p_.ask(p_.arg, echo ? 1 : 0, q.c_str(), &answer) != 0 || answer == nullptr) {
            std::free(answer);
            return chorus::make_error(chorus::Errc::conversation, "the conversation gave no answer");
        }
        // Bounded: a 10 kB "code" is still only a wrong code.
        chorus::SecretString out(std::string_view(answer, strnlen(answer, 4096)));
        chorus::secure_wipe(answer, std::strlen(answer));
        std::free(answer);
        return out;
    }

private:
    chorus::Status show(chorus_msg_kind kind, std::string_view text) const {
        if (p_.show == nullptr) return chorus::make_error(chorus::Errc::unsupported, "no way to show text");
        chorus::SecretString copy(text);  // texts may carry a key or recovery codes
        if (p_.show(p_.arg, kind, copy.c_str()) != 0)
            return chorus::make_error(chorus::Errc::conversation, "the conversation could not show text");
        return {};
    }

    const chorus_prompter& p_;
};

}  // namespace chorus
