// SPDX-License-Identifier: BSD-2-Clause
// chorus-web-broker: the privileged half of chorus-web, started by it as
// root with one end of a socket pair. It reads the configuration, tells the
// HTTP process the web: settings, and then forks one flow process per
// browser session on request, handing the HTTP process that flow's socket
// (and likewise the push worker that answers the phone app).
// It parses no HTTP and holds no session itself.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "broker/flow.hpp"
#include "common/handles.hpp"
#include "wire.hpp"

namespace {

constexpr const char* kProg = "chorus-web-broker";

// A flow's process ends without the broker's exit handlers, which belong to
// the parent. Only a coverage build runs them: libgcov writes each shared
// object's counters from its own exit handler (libchorusauth's libgcov is
// private to it), or nothing the flows and the push worker run would be
// measured.
[[noreturn]] void end_child(int status) {
#ifdef CHORUS_COVERAGE
    std::exit(status);  // NOLINT(concurrency-mt-unsafe): the child has one thread
#else
    std::_Exit(status);
#endif
}

void log_sink(void* /*arg*/, int priority, const char* message) {
    syslog(priority, "%s", message);
}

// A descriptor number from the command line; -1 unless a plain number.
int fd_number(const char* text) {
    int fd = -1;
    const char* end = text + std::strlen(text);
    const auto [at, ec] = std::from_chars(text, end, fd);
    return ec == std::errc() && at == end ? fd : -1;
}

// The flow processes alive, and how many each client address holds: one
// address may hold at most an eighth of web.max_sessions (at least 2), so
// one client cannot take every flow and leave everyone else "Busy".
class Flows {
public:
    explicit Flows(int max_sessions) : max_(max_sessions), per_address_(std::max(2, max_sessions / 8)) {}
    [[nodiscard]] bool room_for(const std::string& client) const {
        if (static_cast<int>(owner_.size()) >= max_) return false;
        auto it = count_.find(client);
        return it == count_.end() || it->second < per_address_;
    }
    void add(pid_t pid, const std::string& client) {
        owner_[pid] = client;
        ++count_[client];
    }
    void reap() {
        for (;;) {
            const pid_t pid = ::waitpid(-1, nullptr, WNOHANG);
            if (pid <= 0) return;
            auto it = owner_.find(pid);
            if (it == owner_.end()) continue;
            if (--count_[it->second] <= 0) count_.erase(it->second);
            owner_.erase(it);
        }
    }

private:
    int max_;
    int per_address_;
    std::map<pid_t, std::string> owner_;
    std::map<std::string, int> count_;
};

chorus_web::Message hello(chorus_ctx_t* ctx, int& idle, int& max_sessions) {
    chorus_web_settings ws{};
    if (chorus_web_settings_get(ctx, &ws) != CHORUS_OK) return chorus_web::Message("error");
    idle = ws.session_idle;
    max_sessions = ws.max_sessions;
    chorus_web::Message m("hello");
    m.set("listen_address", ws.listen_address).set("port", std::to_string(ws.port));
    m.set("base_url", ws.base_url).set("user", ws.user);
    m.set("session_idle", std::to_string(ws.session_idle))
        .set("max_sessions", std::to_string(ws.max_sessions));
    m.set("requests_per_minute", std::to_string(ws.requests_per_minute));
    m.set("account_attempts_per_hour", std::to_string(ws.account_attempts_per_hour));
    m.set("trusted_proxy", ws.trusted_proxy != 0 ? "1" : "0");
    m.set("request_timeout", std::to_string(ws.request_timeout));
    m.set("digits", std::to_string(chorus_ctx_code_digits(ctx)));
    m.set("metrics", chorus_web_metrics_enabled(ctx) == 1 ? "1" : "0");
    return m;
}

// One flow: a socket pair, a child that serves one end, the other end to
// the HTTP process. Returns false when the HTTP process is gone.
bool open_flow(int ctl, const char* config, int idle, Flows& flows, const std::string& client, bool push) {
    if (!flows.room_for(client)) return chorus_web::write_message(ctl, chorus_web::Message("busy"));
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return chorus_web::write_message(ctl, chorus_web::Message("busy"));
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(ctl);
        ::close(sv[1]);
        (void)std::signal(SIGCHLD, SIG_DFL);
        end_child(push ? chorus_web::run_push_worker(sv[0], config)
                       : chorus_web::run_flow(sv[0], config, idle));
    }
    ::close(sv[0]);
    if (pid < 0) {
        ::close(sv[1]);
        return chorus_web::write_message(ctl, chorus_web::Message("busy"));
    }
    flows.add(pid, client);
    const bool ok =
        chorus_web::write_message(ctl, chorus_web::Message("opened")) && chorus_web::send_fd(ctl, sv[1]);
    ::close(sv[1]);
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    ::openlog(kProg, LOG_PID, LOG_AUTHPRIV);
    int ctl = -1;
    const char* config = nullptr;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--fd") == 0)
            ctl = fd_number(argv[i + 1]);
        else if (std::strcmp(argv[i], "--config") == 0)
            config = argv[i + 1];
    }
    if (ctl < 3 || ::geteuid() != 0) {
        (void)std::fprintf(stderr, "%s: started by chorus-web only (as root, with --fd)\n", kProg);
        return 2;
    }
    (void)std::signal(SIGPIPE, SIG_IGN);
    int idle = 600;
    int max_sessions = 1;
    {
        chorus_tools::Ctx ctx;
        chorus_tools::String problems;
        chorus_web::Message m("error");
        if (chorus_config_validate(config, problems.out()) != CHORUS_OK) {
            m.set("text", std::string("the configuration is refused:\n") +
                              (problems ? problems.get() : "(no detail)"));
        } else if (chorus_ctx_new(ctx.out(), config, log_sink, nullptr, 0U) != CHORUS_OK) {
            m.set("text", "cannot open the state store (the system log says why)");
        } else {
            m = hello(ctx.get(), idle, max_sessions);
        }
        // The flows open their own context: a database connection is never
        // shared across fork().
        if (!chorus_web::write_message(ctl, m) || m.op != "hello") return 1;
    }
    Flows flows(max_sessions);
    for (;;) {
        struct pollfd p = {ctl, POLLIN, 0};
        const int r = ::poll(&p, 1, 1000);
        flows.reap();
        if (r == 0 || (r < 0 && errno == EINTR)) continue;
        if (r < 0) return 1;
        auto req = chorus_web::read_message(ctl, 5000);
        if (!req) return 0;  // the HTTP process is gone (or spoke nonsense)
        // The push worker is counted as a client of its own.
        const bool push = req->get("kind") == "push";
        const std::string client = push ? "(push)" : req->get("client").substr(0, 64);
        if (req->op != "open" || !open_flow(ctl, config, idle, flows, client, push)) return 0;
    }
}
