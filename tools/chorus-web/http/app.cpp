// SPDX-License-Identifier: BSD-2-Clause
// Routing, the checks every request passes (session, CSRF, origin, rate),
// and the security headers of every response.
#include "http/app.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "http/json.hpp"

namespace chorus_web {
namespace {

constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

Response json(int status, const Json& j) {
    Response r;
    r.status = status;
    r.body = j.text();
    return r;
}

Response refuse(int status, std::string_view text) {
    return json(status, Json().boolean("ok", false).str("error", text));
}

int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_form_pairs(const std::string& body) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t at = 0;
    while (at <= body.size() && out.size() < 32) {
        std::size_t end = body.find('&', at);
        if (end == std::string::npos) end = body.size();
        const std::string_view pair(body.data() + at, end - at);
        const std::size_t eq = pair.find('=');
        if (!pair.empty()) {
            std::string key = url_decode(pair.substr(0, eq));
            std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
            // A NUL never reaches the broker's protocol or the library.
            if (key.find('\0') == std::string::npos && value.find('\0') == std::string::npos)
                out.emplace_back(std::move(key), std::move(value));
        }
        at = end + 1;
    }
    return out;
}

std::map<std::string, std::string> parse_form(const std::string& body) {
    std::map<std::string, std::string> out;
    for (auto& [k, v] : parse_form_pairs(body)) out.emplace(std::move(k), std::move(v));
    return out;
}

App::App(Settings s, int broker_fd, std::map<std::string, StaticFile> files)
    : s_(std::move(s)),
      sessions_(s_.session_idle, static_cast<std::size_t>(s_.max_sessions)),
      broker_(broker_fd),
      per_address_(s_.requests_per_minute, std::chrono::seconds(60)),
      per_account_(s_.account_attempts_per_hour, std::chrono::seconds(3600)),
      per_check_(s_.requests_per_minute * 10, std::chrono::seconds(60)),
      per_push_(s_.requests_per_minute * 4, std::chrono::seconds(60)),
      push_(broker_),
      files_(std::move(files)) {}

Response App::session_cookie(Response resp, const Session& s) {
    resp.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) + "=" + s.id() +
                                                "; Path=/; HttpOnly; Secure; SameSite=Strict");
    return resp;
}

Response App::handle(const Request& r) {
    Response resp;
    static const std::map<std::string, std::string> kPages = {
        {"/", "index.html"}, {"/reset", "reset.html"}, {"/info", "info.html"}};
    std::string file;
    if (auto p = kPages.find(r.path); p != kPages.end()) file = p->second;
    if (r.path.rfind("/static/", 0) == 0) file = r.path.substr(8);
    if (r.path == "/push") {
        resp = push_route(r);
    } else if (r.path == "/metrics") {
        resp = metrics_route(r);
    } else if (r.path.rfind("/api/", 0) == 0) {
        std::shared_ptr<Session> s = sessions_.find(r.cookie_session);
        if (r.path == "/api/session" && r.method == "GET") {
            const bool fresh = s == nullptr;
            // A new session is state kept for the client: it counts against
            // the address's budget like a post, so one client cannot fill the
            // table for everyone.
            if (fresh && !per_address_.allow(r.client)) {
                resp = refuse(429, "Too many requests. Wait a minute and try again.");
            } else if (fresh && (s = sessions_.create()) == nullptr) {
                resp = refuse(503, "Too many sessions. Try again later.");
            } else {
                resp = json(200, Json()
                                     .str("csrf", s->csrf())
                                     .boolean("signed_in", s->signed_in.load())
                                     .number("digits", s_.digits));
                if (fresh) resp = session_cookie(std::move(resp), *s);
            }
        } else if (s == nullptr) {
            resp = refuse(401, "Your session has ended. Reload the page.");
        } else {
            resp = api(r, s);
        }
        resp.headers.emplace_back("Cache-Control", "no-store");
    } else if (auto f = files_.find(file); !file.empty() && f != files_.end() && r.method == "GET") {
        resp.status = 200;
        resp.content_type = f->second.type;
        resp.body = f->second.body;
        resp.headers.emplace_back("Cache-Control", "no-cache");
    } else {
        resp = refuse(404, "Not found.");
    }
    resp.headers.emplace_back("Content-Security-Policy", kCsp);
    resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
    resp.headers.emplace_back("X-Frame-Options", "DENY");
    resp.headers.emplace_back("Referrer-Policy", "no-referrer");
    resp.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
    return resp;
}

Response App::api(const Request& r, const std::shared_ptr<Session>& s) {
    if (r.body_too_large) return refuse(413, "The request is too large.");
    if (r.method == "POST") {
        // A form from another site: its Origin (or Sec-Fetch-Site) says so,
        // and it cannot know the CSRF token.
        if (!r.origin.empty() && r.origin != s_.origin) return refuse(403, "Cross-site request refused.");
        if (!r.sec_fetch_site.empty() && r.sec_fetch_site != "same-origin" && r.sec_fetch_site != "none")
            return refuse(403, "Cross-site request refused.");
        auto token = r.form.find("csrf");
        if (token == r.form.end() || !same_token(token->second, s->csrf()))
            return refuse(403, "The form has expired. Reload the page.");
        RateLimit& budget = r.path == "/api/reset/rules" ? per_check_ : per_address_;
        if (!budget.allow(r.client)) return refuse(429, "Too many requests. Wait a minute and try again.");
    } else if (r.method != "GET") {
        return refuse(405, "Method not allowed.");
    }
    // One request of a session at a time talks to its flow. A second one
    // (another tab) waits a while for the first, not for ever: each waiting
    // request holds a connection thread.
    std::unique_lock lock(s->io, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::seconds(20)))
        return refuse(409, "Another request of this session is still running. Try again in a moment.");
    if (r.path == "/api/signout" && r.method == "POST") {
        // Ends the flow and the sign-in under the lock, so that no request
        // already holding this session goes on signed in.
        if (s->flow_fd >= 0) ::close(s->flow_fd);
        s->flow_fd = -1;
        s->running.clear();
        s->signed_in = false;
        sessions_.remove(s->id());
        Response resp = json(200, Json().boolean("ok", true));
        resp.headers.emplace_back(
            "Set-Cookie",
            std::string(kSessionCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
        return resp;
    }
    Response resp =
        r.path.rfind("/api/reset/", 0) == 0 && r.method == "POST" ? reset_route(r, *s) : account_route(r, *s);
    // A sign-in that succeeded, a reset that started and a reset's second
    // factor that passed each get a new session id and token: an id planted
    // before (from a sibling domain, say) is worth nothing afterwards.
    if (resp.status == 200 && resp.rotate_session) {
        sessions_.rotate(s);
        resp = session_cookie(std::move(resp), *s);
        resp.body.insert(resp.body.size() - 1, ",\"csrf\":" + json_string(s->csrf()));
    }
    return resp;
}

bool App::account_allowed(const std::string& name) {
    return per_account_.allow(lower(name.substr(0, 256)));
}

}  // namespace chorus_web
