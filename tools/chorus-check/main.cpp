// SPDX-License-Identifier: BSD-2-Clause
// chorus-check: the setuid verifier for unprivileged PAM callers (screen
// lockers), in the unix_chkpwd model. It acts only for its real uid, trusts
// no argument or environment for identity, reads one request from stdin and
// answers with its exit status (see flows/check_helper.hpp):
//   probe\n          0 = the user has a method, 4 = none
//   account\n        0 = not locked, 3 = locked (seconds left on stdout)
//   verify\nCODE\n   0 = accepted, 1 = wrong, 2 = replay, 3 = locked, 4 = none
// Anything else: 10. Only root may name another configuration (--config).
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <chorus/chorus.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

enum Exit { kOk = 0, kBadCode = 1, kReplay = 2, kLocked = 3, kNotEnrolled = 4, kFailure = 10 };

void to_syslog(void*, int priority, const char* message) { syslog(priority, "%s", message); }

// Reads one line (without '\n') of at most max bytes from fd 0; false on EOF/overflow.
bool read_line(std::string& out, std::size_t max) {
    out.clear();
    char c = 0;
    for (;;) {
        ssize_t n = read(0, &c, 1);
        if (n <= 0) return !out.empty();
        if (c == '\n') return true;
        if (out.size() >= max) return false;
        out += c;
    }
}

void wipe(std::string& s) {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
}

int answer(chorus_ctx_t* ctx, const char* user, const std::string& op) {
    if (op == "probe" || op == "account") {
        chorus_status_t* st = nullptr;
        int rc = chorus_status_get(ctx, user, &st);
        if (rc == CHORUS_ERR_NO_USER) return kNotEnrolled;
        if (rc != CHORUS_OK) return kFailure;
        const bool enrolled = chorus_status_has_totp(st) || chorus_status_recovery_left(st) > 0;
        const long long left = chorus_status_lock_remaining(st);
        chorus_status_free(&st);
        if (op == "probe") return enrolled ? kOk : kNotEnrolled;
        if (left > 0) {
            std::printf("%lld\n", left);
            return kLocked;
        }
        return kOk;
    }
    if (op == "verify") {
        std::string code;
        if (!read_line(code, 64)) return kBadCode;
        long long left = 0;
        int rc = chorus_verify_code(ctx, user, code.c_str(), nullptr, &left);
        wipe(code);
        switch (rc) {
        case CHORUS_OK: return kOk;
        case CHORUS_ERR_BAD_CODE: return kBadCode;
        case CHORUS_ERR_REPLAY: return kReplay;
        case CHORUS_ERR_LOCKED: std::printf("%lld\n", left); return kLocked;
        default: return kFailure;
        }
    }
    return kFailure;
}

}  // namespace

int main(int argc, char** argv) {
    // Nothing from the caller's environment reaches the library.
    clearenv();
    openlog("chorus-check", LOG_PID, LOG_AUTHPRIV);
    const char* config = nullptr;
    if (argc == 3 && std::strcmp(argv[1], "--config") == 0) {
        if (getuid() != 0) {
            syslog(LOG_WARNING, "refused --config from uid %u", static_cast<unsigned>(getuid()));
            return kFailure;
        }
        config = argv[2];
    } else if (argc > 1) {
        return kFailure;
    }
    // The identity is the real uid, never an argument.
    const struct passwd* pw = getpwuid(getuid());
    if (pw == nullptr) return kFailure;
    const std::string user = pw->pw_name;
    std::string op;
    if (!read_line(op, 16)) return kFailure;

    chorus_ctx_t* ctx = nullptr;
    if (chorus_ctx_new(&ctx, config, to_syslog, nullptr, 0) != CHORUS_OK) return kFailure;
    int status = answer(ctx, user.c_str(), op);
    chorus_ctx_free(&ctx);
    std::fflush(stdout);
    return status;
}
