// SPDX-License-Identifier: BSD-2-Clause
#include "http/sessions.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace chorus_web {

Session::~Session() {
    if (flow_fd >= 0) ::close(flow_fd);
}

std::string Session::id() const {
    const std::lock_guard lock(token_mu_);
    return id_;
}

std::string Session::csrf() const {
    const std::lock_guard lock(token_mu_);
    return csrf_;
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    std::size_t got = 0;
    while (got < bytes) {
        const ssize_t r = ::getrandom(buf.data() + got, bytes - got, 0);
        if (r <= 0) std::abort();
        got += static_cast<std::size_t>(r);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : buf) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    return out;
}

bool same_token(const std::string& a, const std::string& b) {
    if (a.size() != b.size() || a.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(
            diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
    return diff == 0;
}

std::shared_ptr<Session> Sessions::find(const std::string& id) {
    if (id.size() != 64) return nullptr;
    const std::lock_guard lock(mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return nullptr;
    const auto now = std::chrono::steady_clock::now();
    if (now - it->second->last_seen > std::chrono::seconds(idle_)) {
        by_id_.erase(it);
        return nullptr;
    }
    it->second->last_seen = now;
    return it->second;
}

void Sessions::sweep_locked() {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(by_id_,
                  [&](const auto& kv) { return now - kv.second->last_seen > std::chrono::seconds(idle_); });
}

std::shared_ptr<Session> Sessions::create() {
    auto s = std::make_shared<Session>(random_hex(32), random_hex(32));
    s->last_seen = std::chrono::steady_clock::now();
    const std::lock_guard lock(mu_);
    sweep_locked();
    if (by_id_.size() >= max_ * 4) return nullptr;  // sessions without a flow are cheap, not free
    by_id_[s->id()] = s;
    return s;
}

void Sessions::rotate(const std::shared_ptr<Session>& s) {
    const std::lock_guard lock(mu_);
    by_id_.erase(s->id());
    {
        const std::lock_guard token(s->token_mu_);
        s->id_ = random_hex(32);
        s->csrf_ = random_hex(32);
    }
    by_id_[s->id()] = s;
}

void Sessions::remove(const std::string& id) {
    const std::lock_guard lock(mu_);
    by_id_.erase(id);
}

int BrokerLink::open_flow(const std::string& client, bool push) {
    const std::lock_guard lock(mu_);
    if (dead_) return -1;
    int fd = -1;
    Message open("open");
    open.set("client", client);
    if (push) open.set("kind", "push");
    if (write_message(fd_, open)) {
        auto reply = read_message(fd_, 10000);
        if (reply && reply->op == "busy") return -1;  // a clean refusal: the channel is fine
        if (reply && reply->op == "opened") fd = receive_fd(fd_, 10000);
    }
    // Anything else leaves the channel at an unknown point of a frame: no
    // later answer on it could be trusted, so no flow opens again (the
    // service fails closed until it is restarted).
    if (fd < 0) {
        dead_ = true;
        (void)std::fprintf(stderr,
                           "chorus-web: the broker channel failed; no new sign-in or reset until restart\n");
    }
    return fd;
}

PushLink::~PushLink() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<Message> PushLink::call(const Message& req) {
    // Signing, a store round trip and the key's first read: seconds at most.
    constexpr int kTimeoutMs = 30 * 1000;
    const std::lock_guard lock(mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (fd_ < 0) fd_ = broker_.open_flow("(push)", true);
        if (fd_ < 0) return std::nullopt;
        std::optional<Message> reply;
        if (write_message(fd_, req)) reply = read_message(fd_, kTimeoutMs);
        if (reply && reply->op == req.op) return reply;  // "push" or "metrics", as asked
        ::close(fd_);                                    // the worker ended (idle) or broke: a fresh one next
        fd_ = -1;
        if (reply) return std::nullopt;  // it answered something else: do not resend
    }
    return std::nullopt;
}

std::optional<Message> flow_call(Session& s, const Message& req, int timeout_ms) {
    if (s.flow_fd < 0) return std::nullopt;
    std::optional<Message> reply;
    if (write_message(s.flow_fd, req)) reply = read_message(s.flow_fd, timeout_ms);
    if (!reply) {
        ::close(s.flow_fd);
        s.flow_fd = -1;
        s.running.clear();
    }
    return reply;
}

}  // namespace chorus_web
