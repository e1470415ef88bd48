// SPDX-License-Identifier: BSD-2-Clause
#include "broker/bridge.hpp"

#include <cstring>

#include "common/pam_util.hpp"

namespace chorus_web {
namespace {

// At most this many secret prompts in one PAM conversation: the password
// and, for a stack that checks a code, the code. A stack that asks on and
// on is not a stack this page was made for.
constexpr int kMaxSecretPrompts = 4;

}  // namespace

bool Bridge::ask(bool echo, const std::string& prompt, std::string& answer) {
    Message m("ask");
    m.set("prompt", prompt).set("echo", echo ? "1" : "0");
    flush_into(m);
    if (!write_message(fd_, m)) {
        dead_ = true;
        return false;
    }
    auto reply = read_message(fd_, idle_ms_);
    if (!reply) {
        dead_ = true;
        return false;
    }
    if (reply->op != "answer") return false;  // "cancel": the conversation ends, its reply is awaited
    answer = reply->get("text");
    reply->wipe();
    return true;
}

void Bridge::show(bool error, const std::string& text) {
    shown_.emplace_back(error, text);
}

void Bridge::flush_into(Message& m) {
    for (auto& [error, text] : shown_) m.set(error ? "err" : "msg", std::move(text));
    shown_.clear();
}

int Bridge::show_cb(void* arg, chorus_msg_kind kind, const char* text) {
    static_cast<Bridge*>(arg)->show(kind == CHORUS_MSG_ERROR, text != nullptr ? text : "");
    return 0;
}

int Bridge::ask_cb(void* arg, int echo, const char* prompt, char** answer) {
    *answer = nullptr;
    std::string text;
    if (!static_cast<Bridge*>(arg)->ask(echo != 0, prompt != nullptr ? prompt : "", text)) return 1;
    *answer = ::strdup(text.c_str());
    chorus_tools::wipe(text.data(), text.size());
    return *answer != nullptr ? 0 : 1;
}

int Bridge::pam_cb(int n, const struct pam_message** msg, struct pam_response** resp, void* arg) {
    auto* self = static_cast<Bridge*>(arg);
    *resp = nullptr;
    chorus_tools::PamReplies r(n);
    if (!r) return n <= 0 || n > PAM_MAX_NUM_MSG ? PAM_CONV_ERR : PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        const std::string text = msg[i]->msg != nullptr ? msg[i]->msg : "";
        const int style = msg[i]->msg_style;
        if (style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON) {
            const bool secret = style == PAM_PROMPT_ECHO_OFF;
            std::string answer;
            if (secret && ++self->secrets_asked > kMaxSecretPrompts) return PAM_CONV_ERR;
            if (!self->ask(!secret, text, answer)) return PAM_CONV_ERR;
            const bool stored = r.set(i, answer.c_str());
            chorus_tools::wipe(answer.data(), answer.size());
            if (!stored) return PAM_BUF_ERR;
        } else if (style == PAM_ERROR_MSG || style == PAM_TEXT_INFO) {
            self->show(style == PAM_ERROR_MSG, text);
        } else {
            return PAM_CONV_ERR;
        }
    }
    *resp = r.release();
    return PAM_SUCCESS;
}

}  // namespace chorus_web
