// SPDX-License-Identifier: BSD-2-Clause
#include "broker/flow.hpp"

#include <syslog.h>
#include <unistd.h>

#include "broker/flow_state.hpp"

namespace chorus_web {
namespace {

void log_sink(void* /*arg*/, int priority, const char* message) {
    syslog(priority, "%s", message);
}

}  // namespace

Message error_reply(int rc, const std::string& text) {
    Message m("error");
    m.set("rc", std::to_string(rc)).set("text", text.empty() ? chorus_strerror(rc) : text);
    return m;
}

Message finish(FlowState& f, int rc, const std::string& text) {
    Message m = rc == CHORUS_OK ? Message("ok") : error_reply(rc, text);
    f.bridge.flush_into(m);
    return m;
}

int run_flow(int fd, const char* config_path, int idle_seconds) {
    FlowState f(fd, idle_seconds * 1000);
    const int rc = chorus_ctx_new(f.ctx.out(), config_path, log_sink, nullptr, 0U);
    if (rc != CHORUS_OK) {
        syslog(LOG_ERR, "flow: cannot open the configuration and state: %s", chorus_strerror(rc));
        (void)write_message(fd, error_reply(CHORUS_ERR_UNAVAILABLE));
        return 1;
    }
    // Audit events of the flow name the portal, not the broker program.
    if (chorus_ctx_set_service(f.ctx.get(), "chorus-web") != CHORUS_OK) return 1;
    for (;;) {
        auto req = read_message(fd, idle_seconds * 1000);
        if (!req) return 0;  // the page closed, or went quiet: the flow ends
        if (req->has("rhost") && req->get("rhost") != f.rhost) {
            f.rhost = req->get("rhost").substr(0, 64);
            if (chorus_ctx_set_origin(f.ctx.get(), nullptr, f.rhost.c_str()) != CHORUS_OK) return 1;
        }
        Message reply;
        if (req->op.rfind("reset.", 0) == 0 && f.kind != FlowKind::account) {
            reply = handle_reset(f, *req);
        } else if (req->op.rfind("account.", 0) == 0 && f.kind != FlowKind::reset) {
            reply = handle_account(f, *req);
        } else {
            reply = error_reply(CHORUS_ERR_INVALID_ARG, "unknown operation");
        }
        req->wipe();
        if (f.bridge.dead()) return 0;
        if (!write_message(fd, reply)) return 0;
        reply.wipe();
        if (f.finished) return 0;  // the password is set: nothing more to do
    }
}

}  // namespace chorus_web
