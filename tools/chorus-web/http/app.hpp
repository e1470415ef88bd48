// SPDX-License-Identifier: BSD-2-Clause
// The portal's HTTP side: requests in, responses out, no privilege. Every
// decision that needs the state or PAM is one message to the broker.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/limits.hpp"
#include "http/sessions.hpp"

namespace chorus_web {

// __Host-: the browser takes it only with Secure, Path=/ and no Domain, so a
// sibling domain or a plain-HTTP page cannot plant one.
inline constexpr const char* kSessionCookie = "__Host-chorus_session";

struct Settings {
    std::string listen_address;
    int port = 0;
    std::string base_url;  // links come from here, never from Host
    std::string origin;    // scheme://host[:port] of base_url, for the Origin check
    std::string user;
    int session_idle = 600;
    int max_sessions = 256;
    int requests_per_minute = 60;
    int account_attempts_per_hour = 20;
    bool trusted_proxy = false;
    int request_timeout = 15;
    int digits = 6;
    bool metrics = false;  // /metrics for local scrapers (web.metrics)
};

struct Request {
    std::string method;
    std::string path;
    std::string client;  // the client's address
    std::string cookie_session;
    std::string origin;          // the Origin header, if any
    std::string sec_fetch_site;  // the Sec-Fetch-Site header, if any
    std::map<std::string, std::string> form;
    // /push only: every field of the query (GET) or body (POST), in order,
    // repeats kept (the endpoint refuses them).
    std::vector<std::pair<std::string, std::string>> args;
    bool body_too_large = false;
    // From this host and not through a proxy: the peer is loopback and no
    // forwarding header came with it. Only such a request sees /metrics.
    bool local_direct = false;
};

struct Response {
    int status = 500;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool rotate_session = false;  // give the session a new id and token (App::api)
};

struct StaticFile {
    std::string type;
    std::string body;
};

class App {
public:
    App(Settings s, int broker_fd, std::map<std::string, StaticFile> files);
    Response handle(const Request& r);
    [[nodiscard]] const Settings& settings() const { return s_; }

private:
    Response api(const Request& r, const std::shared_ptr<Session>& s);
    static Response conversation_start(Session& s, const Message& req);
    static Response conversation_reply(Session& s, std::optional<Message> reply);
    Response reset_route(const Request& r, Session& s);
    Response account_route(const Request& r, Session& s);
    Response push_route(const Request& r);
    Response metrics_route(const Request& r);
    static Response session_cookie(Response resp, const Session& s);
    bool account_allowed(const std::string& name);
    bool new_flow(Session& s, const std::string& client);
    static void cancel_running(Session& s);

    Settings s_;
    Sessions sessions_;
    BrokerLink broker_;
    RateLimit per_address_;
    RateLimit per_account_;
    RateLimit per_check_;  // the live checklist: one request per keystroke
    RateLimit per_push_;   // the phone app: polls every few seconds while open
    PushLink push_;
    std::map<std::string, StaticFile> files_;
};

// Parses an application/x-www-form-urlencoded body (first value of a key wins).
std::map<std::string, std::string> parse_form(const std::string& body);
// The same, every pair in order (at most 32).
std::vector<std::pair<std::string, std::string>> parse_form_pairs(const std::string& body);

}  // namespace chorus_web
