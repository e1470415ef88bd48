// SPDX-License-Identifier: BSD-2-Clause
// The push worker: one process forked by the broker that answers the
// privacyIDEA Authenticator app's requests (docs/PUSH.md) for the HTTP
// process. It holds the site's signing key and a library context; the HTTP
// process only forwards the decoded fields and returns the JSON it gets.
// It also reads the host's counters for /metrics (docs/OPERATIONS.md).
#include <syslog.h>

#include "broker/flow.hpp"
#include "chorus/chorus_push.h"
#include "common/handles.hpp"
#include "wire.hpp"

namespace chorus_web {
namespace {

void log_sink(void* /*arg*/, int priority, const char* message) {
    syslog(priority, "push: %s", message);
}

// An hour without a request ends the worker; the HTTP process starts another.
constexpr int kIdleMs = 3600 * 1000;
constexpr std::size_t kMaxFields = 32;

Message unavailable() {
    return Message("push")
        .set("status", "503")
        .set("body", R"({"jsonrpc": "2.0", "id": 1, "result": {"status": false, "error": )"
                     R"({"code": 500, "message": "The service is unavailable."}}})");
}

Message answer(chorus_ctx_t* ctx, const Message& req) {
    const auto names = req.all("name");
    const auto values = req.all("value");
    if (names.size() != values.size() || names.size() > kMaxFields) return unavailable();
    std::vector<const char*> n;
    std::vector<const char*> v;
    for (std::size_t i = 0; i < names.size(); ++i) {
        n.push_back(names[i].c_str());
        v.push_back(values[i].c_str());
    }
    int status = 500;
    chorus_tools::String body;
    const int rc = chorus_push_endpoint(ctx, req.get("method").c_str(), n.data(), v.data(), n.size(), &status,
                                        body.out());
    if (rc != CHORUS_OK || !body) {
        syslog(LOG_ERR, "push: no answer for the app: %s", chorus_ctx_last_error(ctx));
        return unavailable();
    }
    return Message("push").set("status", std::to_string(status)).set("body", body.get());
}

Message metrics(chorus_ctx_t* ctx) {
    chorus_tools::String text;
    if (chorus_metrics_text(ctx, text.out()) != CHORUS_OK || !text) {
        syslog(LOG_ERR, "metrics: %s", chorus_ctx_last_error(ctx));
        return Message("error");
    }
    return Message("metrics").set("text", text.get());
}

}  // namespace

int run_push_worker(int fd, const char* config_path) {
    chorus_tools::Ctx ctx;
    if (chorus_ctx_new(ctx.out(), config_path, log_sink, nullptr, 0U) != CHORUS_OK) {
        syslog(LOG_ERR, "push: cannot open the configuration and state");
        return 1;
    }
    if (chorus_ctx_set_service(ctx.get(), "chorus-web") != CHORUS_OK) return 1;
    for (;;) {
        auto req = read_message(fd, kIdleMs);
        if (!req) return 0;
        Message reply = unavailable();
        if (req->op == "push") reply = answer(ctx.get(), *req);
        if (req->op == "metrics") reply = metrics(ctx.get());
        if (!write_message(fd, reply)) return 0;
    }
}

}  // namespace chorus_web
