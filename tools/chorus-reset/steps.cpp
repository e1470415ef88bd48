// SPDX-License-Identifier: BSD-2-Clause
// The steps of the reset before the new password: who (username or email),
// the emailed code (with 'resend'), and a second registered method. The
// words never depend on whether the account exists: the library walks
// unknown accounts through the same answers, and sends them nothing.
#include <strings.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

#include "chorus-reset/reset.hpp"
#include "common/handles.hpp"

namespace reset_tool {
namespace {

using chorus_tools::SecretBuffer;

constexpr const char* kSent =
    "We sent a 6-digit code to the email address registered for this account, if there is one.";
// A re-send may not go out (the account's limits across sessions are kept
// silent, see send_code), so the words promise no more than that.
constexpr const char* kResent =
    "We sent a new code unless too many were asked for recently; only the newest code works.";
constexpr const char* kLocked = "Too many attempts. Try again later.";
constexpr const char* kBroken = "Something went wrong and the reset cannot continue. Try again later.";

// The answer without surrounding blanks.
std::string_view trimmed(const SecretBuffer& b) {
    std::string_view s = b.view();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
    return s;
}

void say_wait(long long seconds) {
    char line[96];
    std::snprintf(line, sizeof line, "Wait %lld seconds before asking for another code.",
                  seconds > 0 ? seconds : 1);
    say(line);
}

// Sends (or re-sends) the code. kExitOk to go on, else the exit status.
// Only this session's own requests may show here as a wait: the library
// answers a send that the account's stored limits refused (another session
// sent one moments ago, or the hourly or daily cap) like a send, because a
// wait that unknown names never get would mark the name as resettable. On
// the first send of a session the text is the same whatever the library
// says about throttling, for the same reason.
int send_code(chorus_ctx_t* ctx, chorus_reset_t* reset, bool again) {
    long long wait = 0;
    const int rc = chorus_reset_send_code(ctx, reset, &wait);
    if (rc == CHORUS_OK || (rc == CHORUS_ERR_RATE_LIMITED && !again)) {
        say(again ? kResent : kSent);
        return kExitOk;
    }
    if (rc == CHORUS_ERR_RATE_LIMITED) {
        say_wait(wait);
        return kExitOk;
    }
    say(rc == CHORUS_ERR_LOCKED ? kLocked : kBroken);
    return kExitFail;
}

struct MethodName {
    const char* id;
    const char* label;
};
constexpr MethodName kMethodNames[] = {{"app", "code from your app"},
                                       {"sms", "code by SMS"},
                                       {"call", "call me"},
                                       {"sms2", "code by SMS to my alternate phone"},
                                       {"call2", "call my alternate phone"},
                                       {"push", "approve on my phone"}};

const char* label_of(std::string_view id) {
    for (const auto& m : kMethodNames)
        if (id == m.id) return m.label;
    return nullptr;
}

}  // namespace

int step_identify(const Io& io, chorus_ctx_t* ctx, chorus_reset_t** reset) {
    SecretBuffer answer(kMaxLine);
    for (;;) {
        if (!ask(io, "Username or email address: ", true, answer)) return kExitFail;
        const std::string id(trimmed(answer));
        if (id.empty()) continue;
        const int rc = chorus_reset_start(ctx, id.c_str(), reset);
        if (rc == CHORUS_OK) return kExitOk;
        if (rc != CHORUS_ERR_INVALID_ARG && rc != CHORUS_ERR_BAD_USERNAME) {
            say(kBroken);
            return kExitFail;
        }
        say("That is not a user name or an email address.");
    }
}

int step_email_code(const Io& io, chorus_ctx_t* ctx, chorus_reset_t* reset) {
    if (int st = send_code(ctx, reset, false); st != kExitOk) return st;
    SecretBuffer answer(kMaxLine);
    for (;;) {
        if (!ask(io, "Verification code (or 'resend'): ", true, answer)) return kExitFail;
        const std::string_view code = trimmed(answer);
        if (code.empty()) continue;
        if (code.size() == 6 && ::strncasecmp(code.data(), "resend", 6) == 0) {
            if (int st = send_code(ctx, reset, true); st != kExitOk) return st;
            continue;
        }
        std::string typed(code);
        const int rc = chorus_reset_check_code(ctx, reset, typed.c_str());
        chorus_tools::wipe(typed.data(), typed.size());
        switch (rc) {
        case CHORUS_OK:
            return kExitOk;
        case CHORUS_ERR_BAD_CODE:
        case CHORUS_ERR_INVALID_ARG:
            say("That code is not right.");
            break;
        case CHORUS_ERR_EXPIRED:
            say("That code has expired: type resend for a new one.");
            break;
        case CHORUS_ERR_LOCKED:
            say(kLocked);
            return kExitFail;
        default:
            say(kBroken);
            return kExitFail;
        }
    }
}

int step_second_factor(const Io& io, chorus_ctx_t* ctx, chorus_reset_t* reset) {
    constexpr int kTries = 3;  // the library's lockout counts these too
    chorus_prompter prompter = make_prompter(&io);
    SecretBuffer answer(kMaxLine);
    for (int failures = 0; failures < kTries;) {
        chorus_tools::Strings methods;
        if (chorus_reset_methods(ctx, reset, methods.out(), methods.count_out()) != CHORUS_OK) {
            say(kBroken);
            return kExitFail;
        }
        std::string menu = "Prove it is you another way:";
        size_t shown = 0;
        for (size_t i = 0; i < methods.size(); ++i)
            if (const char* l = label_of(methods[i]); l != nullptr)
                menu += "\n  " + std::to_string(++shown) + ") " + l;
        if (shown == 0) {
            say("No second way to prove it is you is registered for this account: ask your administrator.");
            return kExitFail;
        }
        say(menu.c_str());
        if (!ask(io, "Choose a number: ", true, answer)) return kExitFail;
        const std::string_view pick = trimmed(answer);
        const char* chosen = nullptr;
        for (size_t i = 0, n = 0; i < methods.size() && chosen == nullptr; ++i)
            if (label_of(methods[i]) != nullptr && pick == std::to_string(++n)) chosen = methods[i];
        if (chosen == nullptr) {
            say("Type one of the numbers shown.");
            continue;
        }
        const int rc = chorus_reset_second_factor(ctx, reset, chosen, &prompter);
        if (rc == CHORUS_OK) return kExitOk;
        if (rc == CHORUS_ERR_LOCKED) {
            say(kLocked);
            return kExitFail;
        }
        if (rc == CHORUS_ERR_BAD_CODE || rc == CHORUS_ERR_REPLAY) {
            say(rc == CHORUS_ERR_REPLAY ? "That code was already used: wait for the next one."
                                        : "That code is not right.");
            ++failures;
        } else if (rc == CHORUS_ERR_UNSUPPORTED || rc == CHORUS_ERR_IO) {
            say("We couldn't reach you that way: try another method.");
            ++failures;
        } else {
            say(kBroken);
            return kExitFail;
        }
    }
    say(kLocked);
    return kExitFail;
}

}  // namespace reset_tool
