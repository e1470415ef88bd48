// SPDX-License-Identifier: BSD-2-Clause
// The API's routes: each turns a form into one broker request and the
// broker's answer into JSON. Conversations (sign-in, confirming, a second
// factor, proving a phone) come back as "ask" until the flow is done.
#include <unistd.h>

#include "http/app.hpp"
#include "http/json.hpp"

namespace chorus_web {
namespace {

// A call answered with # may take the gateway's whole timeout.
constexpr int kFlowTimeoutMs = 330 * 1000;

Response json(int status, const Json& j) {
    Response r;
    r.status = status;
    r.body = j.text();
    return r;
}

Response gone() {
    return json(200, Json()
                         .boolean("ok", false)
                         .str("error", "Your session has ended. Start again.")
                         .boolean("ended", true));
}

std::string messages(const Message& m) {
    std::string out = "[";
    for (const auto& [k, v] : m.fields) {
        if (k != "msg" && k != "err") continue;
        if (out.size() > 1) out += ',';
        out += Json().boolean("error", k == "err").str("text", v).text();
    }
    return out + "]";
}

// ok / error, with the flow's messages and the wait of a throttle.
Json outcome(const Message& m) {
    Json j;
    j.boolean("ok", m.op == "ok");
    if (m.op != "ok") j.str("error", m.get("text"));
    if (m.has("wait")) j.number("wait", m.number("wait", 0));
    j.raw("messages", messages(m));
    return j;
}

std::string rules(const Message& m) {
    std::string out = "[";
    const auto ids = m.all("rule");
    const auto texts = m.all("rule_text");
    const auto met = m.all("met");
    for (std::size_t i = 0; i < ids.size() && i < texts.size() && i < met.size(); ++i) {
        if (i != 0) out += ',';
        out += Json().str("id", ids[i]).str("text", texts[i]).boolean("met", met[i] == "1").text();
    }
    return out + "]";
}

std::string field(const Request& r, const char* key, std::size_t max = 256) {
    auto it = r.form.find(key);
    if (it == r.form.end()) return {};
    return it->second.substr(0, max);
}

}  // namespace

bool App::new_flow(Session& s, const std::string& client) {
    if (s.flow_fd >= 0) ::close(s.flow_fd);
    s.flow_fd = broker_.open_flow(client);
    s.running.clear();
    s.signed_in = false;
    return s.flow_fd >= 0;
}

// A conversation left waiting for an answer ends before anything else is
// asked of the flow, or the two would answer each other's questions.
void App::cancel_running(Session& s) {
    if (s.running.empty()) return;
    Message cancel("cancel");
    auto reply = flow_call(s, cancel, kFlowTimeoutMs);
    while (reply && reply->op == "ask") reply = flow_call(s, cancel, kFlowTimeoutMs);
    s.running.clear();
}

Response App::conversation_reply(Session& s, std::optional<Message> reply) {
    if (!reply) return gone();
    if (reply->op == "ask") {
        Json j;
        j.str("state", "ask").str("prompt", reply->get("prompt")).boolean("echo", reply->get("echo") == "1");
        j.raw("messages", messages(*reply));
        return json(200, j);
    }
    const std::string was = s.running;
    s.running.clear();
    Json j = outcome(*reply);
    j.str("state", "done");
    bool rotate = false;
    if (was == "account.signin") {
        if (reply->op == "ok") {
            s.signed_in = true;
            rotate = true;
        } else if (s.flow_fd >= 0) {
            ::close(s.flow_fd);  // the next attempt starts afresh
            s.flow_fd = -1;
        }
    }
    if (was == "reset.second" && reply->op == "ok") rotate = true;
    Response resp = json(200, j);
    resp.rotate_session = rotate;
    return resp;
}

Response App::conversation_start(Session& s, const Message& req) {
    s.running = req.op;
    return conversation_reply(s, flow_call(s, req, kFlowTimeoutMs));
}

Response App::reset_route(const Request& r, Session& s) {
    cancel_running(s);
    const std::string& p = r.path;
    auto call = [&](Message m) { return flow_call(s, m.set("rhost", r.client), kFlowTimeoutMs); };
    if (p == "/api/reset/start") {
        const std::string id = field(r, "identifier");
        if (id.empty())
            return json(200,
                        Json().boolean("ok", false).str("error", "Type your user name or email address."));
        if (!account_allowed(id))
            return json(429, Json()
                                 .boolean("ok", false)
                                 .str("error", "Too many attempts for this account. Try again later."));
        if (!new_flow(s, r.client))
            return json(503, Json().boolean("ok", false).str("error", "Busy. Try again in a minute."));
        auto started = call(Message("reset.start").set("identifier", id));
        if (!started) return gone();
        if (started->op != "ok") return json(200, outcome(*started));
        auto sent = call(Message("reset.send"));
        if (!sent) return gone();
        Response resp = json(200, outcome(*sent));
        resp.rotate_session = true;  // the reset's session is new: so is its id (see App::api)
        return resp;
    }
    if (s.flow_fd < 0 || s.signed_in) return gone();
    if (p == "/api/reset/resend") {
        auto m = call(Message("reset.send"));
        return m ? json(200, outcome(*m)) : gone();
    }
    if (p == "/api/reset/code") {
        auto m = call(Message("reset.check").set("code", field(r, "code", 32)));
        if (!m) return gone();
        if (m->op != "ok") return json(200, outcome(*m));
        auto methods = call(Message("reset.methods"));
        if (!methods) return gone();
        return json(200, outcome(*methods).strings("methods", methods->all("method")));
    }
    if (p == "/api/reset/second")
        return conversation_start(
            s, Message("reset.second").set("method", field(r, "method", 16)).set("rhost", r.client));
    if (p == "/api/reset/rules") {
        auto m = call(Message("reset.rules").set("password", field(r, "password", 1024)));
        if (!m) return gone();
        return json(200, outcome(*m).raw("rules", rules(*m)).boolean("all_met", m->get("all_met") == "1"));
    }
    if (p == "/api/reset/set") {
        auto m = call(Message("reset.set")
                          .set("password", field(r, "password", 1024))
                          .set("confirm", field(r, "confirm", 1024)));
        if (!m) return gone();
        return json(200, outcome(*m).raw("rules", rules(*m)));
    }
    return json(404, Json().boolean("ok", false).str("error", "Not found."));
}

Response App::account_route(const Request& r, Session& s) {
    const std::string& p = r.path;
    if (p == "/api/answer" && r.method == "POST") {
        if (s.running.empty()) return gone();
        return conversation_reply(
            s, flow_call(s, Message("answer").set("text", field(r, "text", 1024)), kFlowTimeoutMs));
    }
    cancel_running(s);
    if (p == "/api/signin" && r.method == "POST") {
        const std::string user = field(r, "user", 64);
        if (user.empty()) return json(200, Json().boolean("ok", false).str("error", "Type your user name."));
        if (!account_allowed(user))
            return json(429, Json()
                                 .boolean("ok", false)
                                 .str("error", "Too many attempts for this account. Try again later."));
        if (!new_flow(s, r.client))
            return json(503, Json().boolean("ok", false).str("error", "Busy. Try again in a minute."));
        return conversation_start(s, Message("account.signin").set("user", user).set("rhost", r.client));
    }
    if (!s.signed_in || s.flow_fd < 0)
        return json(401, Json().boolean("ok", false).str("error", "Sign in first.").boolean("ended", true));
    auto call = [&](Message m) { return flow_call(s, m.set("rhost", r.client), kFlowTimeoutMs); };
    if (p == "/api/info" && r.method == "GET") {
        auto m = call(Message("account.info"));
        if (!m) return gone();
        if (m->op != "ok") return json(200, outcome(*m));
        Json j = outcome(*m);
        for (const char* k : {"user", "phone", "phone2", "email", "default"}) j.str(k, m->get(k));
        for (const char* k :
             {"phone_proven", "phone2_proven", "email_proven", "sms", "voice", "mail", "push"})
            j.boolean(k, m->get(k) == "1");
        j.number("recovery_left", m->number("recovery_left", 0));
        j.strings("apps", m->all("app"));
        return json(200, j);
    }
    if (r.method != "POST") return json(404, Json().boolean("ok", false).str("error", "Not found."));
    if (p == "/api/confirm") return conversation_start(s, Message("account.confirm").set("rhost", r.client));
    if (p == "/api/contact")
        return conversation_start(s, Message("account.contact")
                                         .set("which", field(r, "which", 16))
                                         .set("value", field(r, "value"))
                                         .set("how", field(r, "how", 16))
                                         .set("rhost", r.client));
    if (p == "/api/app/new") {
        auto m = call(Message("account.app_new"));
        if (!m) return gone();
        return json(
            200,
            outcome(*m).str("uri", m->get("uri")).str("secret", m->get("secret")).str("svg", m->get("svg")));
    }
    if (p == "/api/push/new") {
        auto m = call(Message("account.push_new"));
        if (!m) return gone();
        return json(200, outcome(*m).str("uri", m->get("uri")).str("svg", m->get("svg")));
    }
    // Waiting for the app and its test request is a conversation: the page
    // shows the number to tap and sends the Enter.
    if (p == "/api/push/finish")
        return conversation_start(s, Message("account.push_finish").set("rhost", r.client));
    if (p == "/api/recovery") {
        auto m = call(Message("account.recovery"));
        if (!m) return gone();
        return json(200, outcome(*m).strings("codes", m->all("code")));
    }
    Message req;
    if (p == "/api/app/save")
        req = Message("account.app_save").set("code", field(r, "code", 32)).set("name", field(r, "name", 64));
    else if (p == "/api/app/rename")
        req = Message("account.app_rename").set("app", field(r, "app", 64)).set("name", field(r, "name", 64));
    else if (p == "/api/app/remove")
        req = Message("account.app_remove").set("app", field(r, "app", 64));
    else if (p == "/api/default")
        req = Message("account.default").set("method", field(r, "method", 16));
    else if (p == "/api/remove")
        req = Message("account.remove").set("method", field(r, "method", 16));
    else
        return json(404, Json().boolean("ok", false).str("error", "Not found."));
    auto m = call(std::move(req));
    return m ? json(200, outcome(*m)) : gone();
}

}  // namespace chorus_web
