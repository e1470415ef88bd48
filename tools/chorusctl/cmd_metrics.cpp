// SPDX-License-Identifier: BSD-2-Clause
// chorusctl metrics: the host's counters (every login, lockout, registration,
// reset, delivery and push answer its Chorus processes counted since boot)
// in the Prometheus text format, for node_exporter's textfile collector.
// With --users, gauges from the store as well: how many users, registered,
// by method, in grace, locked. On a fleet store every host sees the same
// users, so one host (not every one) should add --users.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <string>

#include <chorus/chorus_push.h>

#include "chorusctl/chorusctl.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

struct UserGauges {
    long long users = 0;
    long long registered = 0;
    long long in_grace = 0;
    long long locked = 0;
    std::map<std::string, long long> by_method;
};

void count_user(UserGauges& g, const chorus_status_t* st) {
    ++g.users;
    if (chorus_status_has_method(st) == 1) ++g.registered;
    if (chorus_status_grace_left(st) > 0) ++g.in_grace;
    if (chorus_status_lock_remaining(st) > 0) ++g.locked;
    // The names of the registration metrics (chorus_registrations_total).
    if (chorus_status_has_totp(st)) ++g.by_method["app"];
    if (chorus_status_contact_proven(st, "phone")) ++g.by_method["phone"];
    if (chorus_status_contact_proven(st, "phone2")) ++g.by_method["phone2"];
    if (chorus_status_contact_proven(st, "email")) ++g.by_method["email"];
    if (chorus_status_recovery_left(st) > 0) ++g.by_method["recovery"];
    if (chorus_status_has_push(st)) ++g.by_method["push"];
}

void gauge(std::string& out, const char* name, const char* help, long long value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
    out += std::string(name) + " " + std::to_string(value) + "\n";
}

std::string render_users(const UserGauges& g) {
    std::string out;
    gauge(out, "chorus_users", "Users with state in the store.", g.users);
    gauge(out, "chorus_users_registered", "Users with at least one usable method.", g.registered);
    gauge(out, "chorus_users_in_grace", "Users without a method whose grace period runs.", g.in_grace);
    gauge(out, "chorus_users_locked", "Users locked out by failed codes right now.", g.locked);
    out += "# HELP chorus_users_with_method Users by registered method (a user with two counts twice).\n";
    out += "# TYPE chorus_users_with_method gauge\n";
    for (const char* m : {"app", "phone", "phone2", "email", "recovery", "push"}) {
        auto it = g.by_method.find(m);
        out += std::string("chorus_users_with_method{method=\"") + m + "\"} " +
               std::to_string(it != g.by_method.end() ? it->second : 0) + "\n";
    }
    return out;
}

// Written beside the target and renamed over it, so the collector never
// reads half a file; node_exporter reads *.prom files only, so the
// temporary name ends otherwise.
bool write_textfile(const std::string& dir, const std::string& text) {
    const std::string target = dir + "/chorus.prom";
    const std::string temp = dir + "/.chorus.prom." + std::to_string(getpid()) + ".tmp";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "chorusctl: cannot create %s: %s\n", escape_text(temp).c_str(),
                     std::strerror(errno));
        return false;
    }
    bool ok = ::fchmod(fd, 0644) == 0;
    std::size_t done = 0;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ok = false;
        if (n > 0) done += static_cast<std::size_t>(n);
    }
    const int err = errno;
    if (::close(fd) != 0) ok = false;
    if (ok && ::rename(temp.c_str(), target.c_str()) == 0) return true;
    std::fprintf(stderr, "chorusctl: cannot write %s: %s\n", escape_text(target).c_str(),
                 std::strerror(ok ? errno : err));
    ::unlink(temp.c_str());
    return false;
}

}  // namespace

int cmd_metrics(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("metrics"), argc, argv, first,
                       {{"textfile", ArgKind::required}, {"users", ArgKind::flag}}, 0, 0, pa))
        return kExitUsage;
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    char* raw = nullptr;
    const int rc = chorus_metrics_text(ctx.get(), &raw);
    if (rc != CHORUS_OK) return fail(ctx.get(), "metrics", rc);
    std::string text(raw);
    chorus_string_free(&raw);
    int status = kExitOk;
    if (pa.has("users")) {
        UserGauges users;
        status = for_each_status(ctx.get(), "metrics", [&](const std::string&, const chorus_status_t* st) {
            count_user(users, st);
        });
        // A partial count would look like users leaving: no gauges then.
        if (status == kExitOk) text += render_users(users);
    }
    if (!pa.has("textfile")) {
        std::fputs(text.c_str(), stdout);
        return status;
    }
    return write_textfile(std::string(*pa.last("textfile")->value), text) ? status : kExitFail;
}

}  // namespace chorusctl
