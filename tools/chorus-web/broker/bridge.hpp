// SPDX-License-Identifier: BSD-2-Clause
// A conversation carried over the flow's socket: the library's prompter and
// PAM's conversation both become "ask" frames whose "answer" comes back in
// the next frame, so the flows and PAM stacks that chorus-enroll and
// chorus-reset run on a terminal run unchanged behind a web page.
#pragma once

#include <chorus/chorus.h>
#include <security/pam_appl.h>

#include <string>
#include <vector>

#include "wire.hpp"

namespace chorus_web {

class Bridge {
public:
    Bridge(int fd, int idle_ms) : fd_(fd), idle_ms_(idle_ms) {}
    Bridge(const Bridge&) = delete;
    Bridge& operator=(const Bridge&) = delete;

    // Asks the person through the HTTP process and waits for the answer.
    // false when the page went away, cancelled or stayed silent too long.
    bool ask(bool echo, const std::string& prompt, std::string& answer);
    void show(bool error, const std::string& text);
    // The texts shown since the last frame, moved into m (as "msg"/"err").
    void flush_into(Message& m);

    [[nodiscard]] const chorus_prompter* prompter() const { return &prompter_; }
    [[nodiscard]] const struct pam_conv* pam() const { return &conv_; }
    // PAM secret prompts answered so far; a stack that keeps asking is cut off.
    int secrets_asked = 0;
    // The page stopped answering (time-out or closed socket) in the middle
    // of a conversation: the flow must end rather than write a reply nobody
    // asked for, which the next request would read as its own.
    [[nodiscard]] bool dead() const { return dead_; }

private:
    int fd_;
    int idle_ms_;
    bool dead_ = false;
    std::vector<std::pair<bool, std::string>> shown_;
    chorus_prompter prompter_{this, &Bridge::show_cb, &Bridge::ask_cb};
    struct pam_conv conv_ {
        &Bridge::pam_cb, this
    };

    static int show_cb(void* arg, chorus_msg_kind kind, const char* text);
    static int ask_cb(void* arg, int echo, const char* prompt, char** answer);
    static int pam_cb(int n, const struct pam_message** msg, struct pam_response** resp, void* arg);
};

}  // namespace chorus_web
