// SPDX-License-Identifier: BSD-2-Clause
// Browser sessions of the HTTP process: a random id in an HttpOnly cookie,
// a CSRF token for every form, the socket of the session's flow process in
// the broker, and an idle deadline. A session id is never taken from the
// client: an unknown cookie gets a new session, and a sign-in replaces the
// id (no fixation).
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "wire.hpp"

namespace chorus_web {

class Session {
public:
    Session(std::string id, std::string csrf) : id_(std::move(id)), csrf_(std::move(csrf)) {}
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // The id and token change at sign-in and during a reset (Sessions::rotate)
    // while other requests of the session read them: copies, under a lock.
    [[nodiscard]] std::string id() const;
    [[nodiscard]] std::string csrf() const;

    std::chrono::steady_clock::time_point last_seen;  // guarded by the table's lock
    std::timed_mutex io;                              // one request at a time talks to the flow
    int flow_fd = -1;                                 // guarded by io
    std::string running;  // the conversation in progress ("account.signin", ...), guarded by io
    std::atomic<bool> signed_in = false;  // written under io

private:
    friend class Sessions;
    mutable std::mutex token_mu_;
    std::string id_;
    std::string csrf_;
};

// Random bytes as hex; the process dies rather than hand out a weak id.
std::string random_hex(std::size_t bytes);
// Constant-time equality for tokens.
bool same_token(const std::string& a, const std::string& b);

class Sessions {
public:
    Sessions(int idle_seconds, std::size_t max_sessions) : idle_(idle_seconds), max_(max_sessions) {}
    // The live session of cookie id, touched; nullptr when unknown or idle too long.
    std::shared_ptr<Session> find(const std::string& id);
    // A new session (old ones past their idle time are dropped first);
    // nullptr when the table is full.
    std::shared_ptr<Session> create();
    // Gives s a new id and CSRF token (after a sign-in, and as a reset
    // starts and passes its second factor).
    void rotate(const std::shared_ptr<Session>& s);
    void remove(const std::string& id);
    [[nodiscard]] int idle_seconds() const { return idle_; }

private:
    void sweep_locked();
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<Session>> by_id_;
    int idle_;
    std::size_t max_;
};

// The broker's control channel: opens a flow process and returns its
// socket, or -1 when the broker is busy or gone.
class BrokerLink {
public:
    explicit BrokerLink(int fd) : fd_(fd) {}
    // client: the address the broker counts the flow against. push: the
    // push worker instead of a session's flow.
    int open_flow(const std::string& client, bool push = false);

private:
    std::mutex mu_;
    int fd_;
    bool dead_ = false;  // guarded by mu_
};

// The push worker's socket, opened on first use and again after it ended.
// One request at a time (the worker answers in order).
class PushLink {
public:
    explicit PushLink(BrokerLink& broker) : broker_(broker) {}
    ~PushLink();
    PushLink(const PushLink&) = delete;
    PushLink& operator=(const PushLink&) = delete;
    // The worker's reply of the same op ("push": status, body; "metrics":
    // text), or nullopt.
    std::optional<Message> call(const Message& req);

private:
    BrokerLink& broker_;
    std::mutex mu_;
    int fd_ = -1;  // guarded by mu_
};

// One request to the session's flow and its answer (the caller holds s.io).
// nullopt when the flow is gone; the session's flow is then closed.
std::optional<Message> flow_call(Session& s, const Message& req, int timeout_ms);

}  // namespace chorus_web
