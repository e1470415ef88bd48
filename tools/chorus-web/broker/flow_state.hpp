// SPDX-License-Identifier: BSD-2-Clause
// What one flow process remembers between requests, and the handlers of
// its operations (flow_reset.cpp, flow_info.cpp).
#pragma once

#include <chorus/chorus.h>

#include <string>

#include "broker/bridge.hpp"
#include "common/handles.hpp"
#include "wire.hpp"

namespace chorus_web {

enum class FlowKind { none, reset, account };

struct FlowState {
    FlowState(int fd, int idle_ms) : bridge(fd, idle_ms) {}
    Bridge bridge;
    chorus_tools::Ctx ctx;
    std::string rhost;  // the client's address, for the logs of PAM and the library
    FlowKind kind = FlowKind::none;
    chorus_tools::Reset reset;  // kind reset
    bool finished = false;      // the password was set: nothing more to do
    std::string user;           // kind account: signed in as
    // A fresh proof of identity, spent by the next change that succeeds:
    // every change needs its own (as every chorus-enroll run does).
    bool confirmed = false;
    chorus_tools::Enrollment pending;  // an app being added
};

// The failure reply for rc: "error" with the code and its description.
Message error_reply(int rc, const std::string& text = {});
// Appends the bridge's shown texts; "ok" when rc is CHORUS_OK.
Message finish(FlowState& f, int rc, const std::string& text = {});

Message handle_reset(FlowState& f, Message& req);
Message handle_account(FlowState& f, Message& req);
// The live checklist: rules for a candidate password (reset semantics).
Message password_rules(FlowState& f, const char* user, const std::string& password);

}  // namespace chorus_web
