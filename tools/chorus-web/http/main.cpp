// SPDX-License-Identifier: BSD-2-Clause
// chorus-web: the self-service portal. Started as root, it starts the
// privileged broker (a separate program) on a socket pair, binds the
// configured address, loads the pages, then gives up root for good
// (web.user, no groups, no new privileges) before it parses any request.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "http/app.hpp"
#include "http/server.hpp"
#include "wire.hpp"

#ifndef CHORUS_WEB_BROKER
#define CHORUS_WEB_BROKER "/usr/libexec/chorus/chorus-web-broker"
#endif
#ifndef CHORUS_WEB_ROOT
#define CHORUS_WEB_ROOT "/usr/share/chorus/web"
#endif

namespace {

constexpr const char* kProg = "chorus-web";
constexpr const char* kUsage =
    "Usage: chorus-web [--config FILE] [--web-root DIR] [--broker PROGRAM]\n"
    "Serves the Security info and Forgot password pages (see chorus-web(8)).\n";

int die(const std::string& why) {
    (void)std::fprintf(stderr, "%s: %s\n", kProg, why.c_str());
    return 1;
}

pid_t start_broker(const char* program, const char* config, int& ctl) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The broker's end becomes fd 3, kept across exec (dup2 onto itself
        // would keep its close-on-exec flag: clear it then).
        if (sv[1] == 3 ? ::fcntl(3, F_SETFD, 0) < 0 : ::dup2(sv[1], 3) < 0) std::_Exit(127);
        // The parent blocks SIGTERM and SIGINT for sigwait; the mask would
        // survive exec and the broker could not be stopped.
        sigset_t none;
        sigemptyset(&none);
        (void)pthread_sigmask(SIG_SETMASK, &none, nullptr);
        const char* argv[] = {program, "--fd", "3", config != nullptr ? "--config" : nullptr,
                              config,  nullptr};
        char* const envp[] = {const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nullptr};
        ::execve(program, const_cast<char* const*>(argv), envp);
        std::_Exit(127);
    }
    ::close(sv[1]);
    ctl = sv[0];
    return pid;
}

bool load_settings(const chorus_web::Message& m, chorus_web::Settings& s, std::string& why) {
    s.listen_address = m.get("listen_address");
    const auto num = [&m](const char* key) { return static_cast<int>(m.number(key, -1)); };
    s.port = num("port");
    s.base_url = m.get("base_url");
    s.user = m.get("user");
    s.session_idle = num("session_idle");
    s.max_sessions = num("max_sessions");
    s.requests_per_minute = num("requests_per_minute");
    s.account_attempts_per_hour = num("account_attempts_per_hour");
    s.trusted_proxy = m.get("trusted_proxy") == "1";
    s.metrics = m.get("metrics") == "1";
    s.request_timeout = num("request_timeout");
    s.digits = num("digits");
    if (s.base_url.empty()) {
        why = "web.base_url is not set in the configuration: it is the public address of the pages";
        return false;
    }
    if (s.base_url.find("://") == std::string::npos) {
        why = "web.base_url has no scheme";
        return false;
    }
    // scheme://authority, the only origin forms may come from.
    const std::size_t from = s.base_url.find("://") + 3;
    s.origin = s.base_url.substr(0, s.base_url.find('/', from));
    // Every number must be there and positive: a missing limit must never
    // read as "no limit".
    if (s.port > 0 && s.session_idle > 0 && s.max_sessions > 0 && s.request_timeout > 0 &&
        s.requests_per_minute > 0 && s.account_attempts_per_hour > 0 && s.digits > 0)
        return true;
    why = "the broker sent incomplete settings";
    return false;
}

int bind_listener(const chorus_web::Settings& s) {
    const bool v6 = s.listen_address.find(':') != std::string::npos;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int one = 1;
    (void)::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = -1;
    if (v6) {
        struct sockaddr_in6 a = {};
        a.sin6_family = AF_INET6;
        a.sin6_port = htons(static_cast<uint16_t>(s.port));
        if (::inet_pton(AF_INET6, s.listen_address.c_str(), &a.sin6_addr) == 1)
            rc = ::bind(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof a);
    } else {
        struct sockaddr_in a = {};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(s.port));
        if (::inet_pton(AF_INET, s.listen_address.c_str(), &a.sin_addr) == 1)
            rc = ::bind(fd, reinterpret_cast<struct sockaddr*>(&a), sizeof a);
    }
    if (rc != 0 || ::listen(fd, 128) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool load_pages(const std::string& root, std::map<std::string, chorus_web::StaticFile>& files) {
    static const std::map<std::string, std::string> kFiles = {
        {"index.html", "text/html; charset=utf-8"},      {"reset.html", "text/html; charset=utf-8"},
        {"info.html", "text/html; charset=utf-8"},       {"chorus.css", "text/css; charset=utf-8"},
        {"common.js", "text/javascript; charset=utf-8"}, {"reset.js", "text/javascript; charset=utf-8"},
        {"info.js", "text/javascript; charset=utf-8"}};
    for (const auto& [name, type] : kFiles) {
        std::string path = root;
        path += '/';
        path += name;
        std::ifstream in(path, std::ios::binary);
        if (!in) return false;
        std::ostringstream body;
        body << in.rdbuf();
        files[name] = chorus_web::StaticFile{type, body.str()};
    }
    return true;
}

// Root is given up for good: no supplementary groups, the account's uid and
// gid, and no way back through setuid programs.
bool drop_privileges(const std::string& user, std::string& why) {
    struct passwd entry = {};
    struct passwd* pw = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(user.c_str(), &entry, buf.data(), buf.size(), &pw) != 0) pw = nullptr;
    if (pw == nullptr || pw->pw_uid == 0) {
        why = "web.user '" + user + "' is not an unprivileged account (create it, or name another)";
        return false;
    }
    if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        why = "cannot become " + user + ": " + std::error_code(errno, std::generic_category()).message();
        return false;
    }
    if (::setuid(0) == 0 || ::geteuid() == 0) {
        why = "root could be regained after dropping it";
        return false;
    }
    (void)::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    (void)::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // no core or ptrace of a process that held passwords
    return ::chdir("/") == 0;
}

}  // namespace

int main(int argc, char** argv) {
    const char* config = nullptr;
    std::string web_root = CHORUS_WEB_ROOT;
    const char* broker = CHORUS_WEB_BROKER;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--config" || a == "--web-root" || a == "--broker") && i + 1 < argc) {
            const char* v = argv[++i];
            if (a == "--config")
                config = v;
            else if (a == "--web-root")
                web_root = v;
            else
                broker = v;
        } else if (a == "--help") {
            return std::fputs(kUsage, stdout) >= 0 ? 0 : 1;
        } else {
            (void)std::fputs(kUsage, stderr);
            return 2;
        }
    }
    if (::geteuid() != 0) return die("must be started as root (it starts the broker, then drops root)");
    (void)std::signal(SIGPIPE, SIG_IGN);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    (void)pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // before any thread: they inherit it

    int ctl = -1;
    const pid_t broker_pid = start_broker(broker, config, ctl);
    if (broker_pid < 0) return die("cannot start the broker");
    auto hello = chorus_web::read_message(ctl, 30000);
    chorus_web::Settings settings;
    std::string why;
    if (!hello || hello->op != "hello") {
        return die(hello ? hello->get("text") : std::string("the broker did not start (") + broker + ")");
    }
    if (!load_settings(*hello, settings, why)) return die(why);
    const int listener = bind_listener(settings);
    if (listener < 0)
        return die("cannot listen on " + settings.listen_address + " port " + std::to_string(settings.port) +
                   ": " + std::error_code(errno, std::generic_category()).message());
    std::map<std::string, chorus_web::StaticFile> files;
    if (!load_pages(web_root, files)) return die("cannot read the pages in " + web_root);
    if (!drop_privileges(settings.user, why)) return die(why);

    chorus_web::App app(settings, ctl, std::move(files));
    chorus_web::Server server(app, listener);
    if (!server.running()) return die("cannot start the HTTP server");
    (void)std::fprintf(stderr, "%s: serving %s on %s port %d\n", kProg, settings.base_url.c_str(),
                       settings.listen_address.c_str(), settings.port);
    int sig = 0;
    (void)sigwait(&stop, &sig);
    return 0;
}
