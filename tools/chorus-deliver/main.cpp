// SPDX-License-Identifier: BSD-2-Clause
// chorus-deliver: sends one email, SMS or voice call for libchorusauth and
// answers with its exit status (chorus-deliver(8), docs/DELIVERY.md).
//
// Started by root (a PAM login, a tool) with an empty environment and the
// request on stdin, which carries the delivery settings the library
// validated: the helper reads no configuration. It is not setuid, so a
// caller gets nothing it could not do itself: the gateway token file is
// opened with the caller's rights, then the helper drops to nobody before
// touching the network.
#include <curl/curl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "command.hpp"
#include "deliver.hpp"
#include "email.hpp"
#include "gateway.hpp"
#include "common/secret.hpp"
#include "log.hpp"
#include "message_template.hpp"
#include "request.hpp"
#include "settings.hpp"

namespace chorus_deliver {

long Deadline::remaining_ms() const {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<long>(left.count()) : 0;
}

namespace {

constexpr uid_t kFallbackNobody = 65534;

struct Options {
    bool debug = false;
};

void usage() {
    std::fputs("usage: chorus-deliver [--debug] < request\n", stderr);
}

// Returns kDelivered to go on, or the exit code.
int parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--debug") == 0) {
            o.debug = true;
        } else {
            usage();
            return kBadRequest;
        }
    }
    return kDelivered;
}

// No core dumps or ptrace of a process that holds a code; no signal from a
// closed connection; nothing inherited from the environment.
void harden() {
    clearenv();
    umask(077);
    struct rlimit none {
        0, 0
    };
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
}

// Network input is parsed as nobody, never as root.
bool drop_privileges() {
    if (geteuid() != 0) return true;
    uid_t uid = kFallbackNobody;
    gid_t gid = kFallbackNobody;
    if (const struct passwd* pw = getpwnam("nobody"); pw != nullptr && pw->pw_uid != 0) {
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    if (setgroups(0, nullptr) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0)
        return false;
    if (setuid(0) == 0 || geteuid() == 0) return false;
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return true;
}

const std::string& url_for(const Settings& s, Channel c) {
    return c == Channel::email ? s.smtp_url : c == Channel::sms ? s.sms_url : s.voice_url;
}

// The helper stops one second before the library would kill it, so that it
// can still report "timed out" (exit 4) itself.
Deadline deadline_for(const Settings& s) {
    long ms = static_cast<long>(s.timeout) * 1000 - 1000;
    return Deadline(std::chrono::milliseconds(ms < 1000 ? 1000 : ms));
}

// The rendered texts hold the code: wiped whatever happens.
struct Rendered {
    std::string subject, body;
    ~Rendered() {
        chorus_tools::wipe(subject.data(), subject.size());
        chorus_tools::wipe(body.data(), body.size());
    }
};

Outcome dispatch(const Settings& s, const Request& r, const Deadline& d) {
    const std::string host = host_name();
    const TemplateValues values{r.body, r.subject, r.to, host};
    Rendered out;
    switch (r.channel) {
    case Channel::email:
        render_template(s.email_subject, values, out.subject);
        render_template(s.email_body, values, out.body);
        return send_email(s, r.to, out.subject, out.body, d);
    case Channel::sms:
        render_template(s.sms_body, values, out.body);
        return send_sms(s, values, out.body, d);
    case Channel::voice:
        render_template(s.voice_message, values, out.body);
        return place_call(s, values, out.body, d);
    }
    return {kBadRequest, "unknown channel"};
}

int run() {
    Request req;
    Outcome parsed = read_request(STDIN_FILENO, req);
    if (parsed.exit != kDelivered) {
        log_line(LOG_ERR, "not sent: bad request: %s", parsed.reason.c_str());
        return parsed.exit;
    }
    const Settings& settings = req.settings;
    if (Outcome secret = read_gateway_secret(req.settings); secret.exit != kDelivered) {
        log_line(LOG_ERR, "not sent: %s", secret.reason.c_str());
        return secret.exit;
    }
    if (!drop_privileges()) {
        log_line(LOG_ERR, "not sent: cannot drop privileges to nobody");
        return kConfig;
    }
    const char* channel = channel_name(req.channel);
    std::string masked = mask_recipient(req.to);
    if (uses_command(settings, req.channel)) {
        Deadline deadline = deadline_for(settings);
        std::string plain = req.plain();
        Outcome out = run_command(settings, plain, deadline);
        chorus_tools::wipe(plain.data(), plain.size());
        log_line(out.exit == kDelivered ? LOG_INFO : LOG_NOTICE, "%s to %s: %s (exit %d)", channel,
                 masked.c_str(), out.reason.c_str(), out.exit);
        return out.exit;
    }
    if (url_for(settings, req.channel).empty()) {
        log_line(LOG_ERR, "%s to %s not sent: %s delivery is not configured", channel, masked.c_str(),
                 channel);
        return kConfig;
    }
    Deadline deadline = deadline_for(settings);
    Outcome out = dispatch(settings, req, deadline);
    log_line(out.exit == kDelivered ? LOG_INFO : LOG_NOTICE, "%s to %s: %s (exit %d)", channel,
             masked.c_str(), out.reason.c_str(), out.exit);
    return out.exit;
}

}  // namespace
}  // namespace chorus_deliver

int main(int argc, char** argv) {
    using namespace chorus_deliver;
    harden();
    log_open(false);
    Options opts;
    if (int rc = parse_args(argc, argv, opts); rc != kDelivered) return rc;
    if (opts.debug) log_open(true);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_line(LOG_ERR, "not sent: curl_global_init failed");
        return kNetwork;
    }
    int rc = run();
    curl_global_cleanup();
    closelog();
    return rc;
}
