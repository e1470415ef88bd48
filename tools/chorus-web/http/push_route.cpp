// SPDX-License-Identifier: BSD-2-Clause
// /push: the privacyIDEA Authenticator app's endpoint (docs/PUSH.md). No
// session, cookie or CSRF token: the app signs what matters, and the
// broker's push worker checks every signature. Here only the size and rate
// limits apply before the decoded fields are handed over.
// /metrics: the host's counters for a local Prometheus scrape, read by the
// same worker (this process opens nothing of the state).
#include "http/app.hpp"
#include "http/json.hpp"

namespace chorus_web {
namespace {

Response push_error(int status, int code, const char* text) {
    Response r;
    r.status = status;
    r.body = R"({"jsonrpc": "2.0", "id": 1, "result": {"status": false, "error": {"code": )" +
             std::to_string(code) + R"(, "message": )" + json_string(text) + "}}}";
    return r;
}

}  // namespace

Response App::push_route(const Request& r) {
    Response resp;
    if (r.method != "GET" && r.method != "POST") {
        resp = push_error(405, 905, "Method not allowed.");
    } else if (r.body_too_large) {
        resp = push_error(413, 905, "Request too large.");
    } else if (!per_push_.allow(r.client)) {
        resp = push_error(429, 905, "Too many requests. Wait a minute and try again.");
    } else {
        Message req("push");
        req.set("method", r.method);
        for (const auto& [k, v] : r.args) req.set("name", k).set("value", v);
        auto reply = push_.call(req);
        if (!reply) {
            resp = push_error(503, 500, "The service is unavailable.");
        } else {
            resp.status = static_cast<int>(reply->number("status", 503));
            resp.body = reply->get("body");
        }
    }
    resp.headers.emplace_back("Cache-Control", "no-store");
    return resp;
}

// Opt-in (web.metrics) and local only: a request through the reverse proxy
// (a forwarding header) or from another host gets the 404 of a page that
// does not exist.
Response App::metrics_route(const Request& r) {
    Response resp;
    resp.headers.emplace_back("Cache-Control", "no-store");
    if (!s_.metrics || !r.local_direct || r.method != "GET") {
        resp.status = 404;
        resp.content_type = "text/plain; charset=utf-8";
        resp.body = "Not found\n";
        return resp;
    }
    auto reply = push_.call(Message("metrics"));
    if (!reply || reply->op != "metrics") {
        resp.status = 503;
        resp.content_type = "text/plain; charset=utf-8";
        resp.body = "The counters are unavailable.\n";
        return resp;
    }
    resp.status = 200;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = reply->get("text");
    return resp;
}

}  // namespace chorus_web
