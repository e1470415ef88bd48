// SPDX-License-Identifier: BSD-2-Clause
// A stand-in for chorus-deliver, and a prompter whose answers are computed
// when asked (so it can type the code the stub just "sent").
#pragma once

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "flows/context.hpp"
#include "flows/prompter.hpp"
#include "testutil.hpp"

namespace chorus_test {

// A root-owned 0700 /bin/sh script in the test's directory, installed as
// delivery.helper: it appends each request (its stdin) and an empty line to
// an outbox file and exits with the status set by exit_with() (0 until then:
// "sent", for voice "the callee approved").
class DeliveryStub {
public:
    DeliveryStub(const TempDir& dir, chorus::DeliveryConfig& dc)
        : path_(dir.file("deliver-stub.sh")), outbox_(dir.file("outbox")), status_(dir.file("exit-status")) {
        write_file(path_,
                   "#!/bin/sh\n/bin/cat >> '" + outbox_ + "'\necho >> '" + outbox_ + "'\n[ -f '" + status_ +
                       "' ] && exit \"$(/bin/cat '" + status_ + "')\"\nexit 0\n",
                   0700);
        dc.helper = path_;
    }
    void exit_with(int status) const { write_file(status_, std::to_string(status) + "\n"); }
    // From now on the stub reads the request and then dies by SIGKILL (a
    // gateway client that crashed): no exit status at all.
    void die_by_signal() const {
        write_file(path_,
                   "#!/bin/sh\n/bin/cat >> '" + outbox_ + "'\necho >> '" + outbox_ + "'\nkill -KILL $$\n",
                   0700);
    }
    const std::string& outbox_path() const { return outbox_; }

    std::string outbox() const {
        std::ifstream in(outbox_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    // How many requests the helper received.
    std::size_t requests() const {
        const std::string t = outbox();
        std::size_t n = 0;
        for (std::size_t p = 0; (p = t.find("channel: ", p)) != std::string::npos; ++p) ++n;
        return n;
    }
    // The six characters after the last `marker` in the outbox, or "".
    std::string last_code(const std::string& marker = "code is ") const {
        const std::string t = outbox();
        const std::size_t at = t.rfind(marker);
        return at == std::string::npos ? std::string() : t.substr(at + marker.size(), 6);
    }

private:
    std::string path_, outbox_, status_;
};

// Answers each ask() with answer() evaluated at that moment; counts the asks.
class CallbackPrompter : public chorus::Prompter {
public:
    explicit CallbackPrompter(std::function<std::string()> answer) : answer_(std::move(answer)) {}
    chorus::Status info(std::string_view) override { return {}; }
    chorus::Status error(std::string_view text) override {
        errors.emplace_back(text);
        return {};
    }
    chorus::Result<chorus::SecretString> ask(std::string_view, bool) override {
        ++asks;
        return chorus::SecretString(answer_());
    }
    int asks = 0;
    std::vector<std::string> errors;

private:
    std::function<std::string()> answer_;
};

// A code that differs from `code` in its last digit.
inline std::string other_code(std::string code) {
    if (!code.empty()) code.back() = code.back() == '9' ? '0' : static_cast<char>(code.back() + 1);
    return code;
}

}  // namespace chorus_test
