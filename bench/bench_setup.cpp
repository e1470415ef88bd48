// SPDX-License-Identifier: BSD-2-Clause
// Prepares one benchmark state directory (once; scripts/bench caches it) and
// reads Chorus state back afterwards. Everything goes through the public C
// API, like chorusctl would.
//
//   bench_setup files  DIR COUNT PAM_CHORUS_SO   config, PAM services, peers' secrets
//   bench_setup enroll DIR FROM TO               Chorus enrollments [FROM, TO)
//   bench_setup status DIR USER                  "failures=N last_success=T has_totp=B"
//
// DIR/chorus.yaml      the Chorus config (state in DIR/state)
// DIR/pam.d/bench-*    one service per module under test
// DIR/ga-default/USER  google-authenticator files with its defaults
// DIR/ga-secure/USER   ... with DISALLOW_REUSE and RATE_LIMIT 3 30
// DIR/users.oath       pam_oath's usersfile, one HOTP/T30 line per user
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <chorus/chorus.h>

#include "bench_otp.h"

namespace {

void log_stderr(void*, int priority, const char* message) {
    if (priority <= 4) std::fprintf(stderr, "chorus: %s\n", message);
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        std::perror(path.c_str());
        return false;
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fchmod(fd, mode) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
    if (!ok) std::perror(path.c_str());
    return ok;
}

bool make_dir(const std::string& path, mode_t mode) {
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        std::perror(path.c_str());
        return false;
    }
    return ::chmod(path.c_str(), mode) == 0;
}

int cmd_files(const std::string& dir, unsigned count, const std::string& module) {
    if (!make_dir(dir, 0700) || !make_dir(dir + "/state", 0700) || !make_dir(dir + "/pam.d", 0755) ||
        !make_dir(dir + "/ga-default", 0700) || !make_dir(dir + "/ga-secure", 0700))
        return 1;
    // Defaults everywhere except the failure limit: the 50-process case must
    // count all 49 refusals (a lockout would stop counting at 5).
    const std::string cfg = "store:\n  path: " + dir + "/state\nlockout:\n  max_failures: 100\n";
    bool ok = write_file(dir + "/chorus.yaml", cfg, 0600);
    const std::string pam = dir + "/pam.d/";
    ok = ok && write_file(pam + "bench-permit", "auth required pam_permit.so\n", 0644);
    ok = ok && write_file(pam + "bench-chorus",
                          "auth required " + module + " config=" + dir + "/chorus.yaml\n", 0644);
    ok = ok && write_file(pam + "bench-ga",
                          "auth required pam_google_authenticator.so secret=" + dir +
                              "/ga-default/${USER} user=root\n",
                          0644);
    ok = ok && write_file(pam + "bench-ga-secure",
                          "auth required pam_google_authenticator.so secret=" + dir +
                              "/ga-secure/${USER} user=root\n",
                          0644);
    ok = ok &&
         write_file(pam + "bench-oath",
                    "auth required pam_oath.so usersfile=" + dir + "/users.oath window=1 digits=6\n", 0644);
    std::string oath;
    oath.reserve(static_cast<std::size_t>(count) * 72);
    for (unsigned i = 0; ok && i < count; ++i) {
        char user[24], b32[33], hex[41];
        std::uint8_t key[BENCH_KEY_BYTES];
        bench_user_name(i, user, sizeof user);
        bench_user_key(i, key);
        bench_key_base32(key, b32);
        bench_key_hex(key, hex);
        ok = write_file(dir + "/ga-default/" + user, std::string(b32) + "\n\" TOTP_AUTH\n", 0400) &&
             write_file(dir + "/ga-secure/" + user,
                        std::string(b32) + "\n\" RATE_LIMIT 3 30\n\" DISALLOW_REUSE\n\" TOTP_AUTH\n", 0400);
        oath += std::string("HOTP/T30 ") + user + " - " + hex + "\n";
    }
    ok = ok && write_file(dir + "/users.oath", oath, 0600);
    return ok ? 0 : 1;
}

int cmd_enroll(const std::string& dir, unsigned from, unsigned to) {
    chorus_ctx_t* ctx = nullptr;
    int rc = chorus_ctx_new(&ctx, (dir + "/chorus.yaml").c_str(), log_stderr, nullptr, 0);
    if (rc != CHORUS_OK) {
        std::fprintf(stderr, "chorus_ctx_new: %s\n", chorus_strerror(rc));
        return 1;
    }
    for (unsigned i = from; i < to && rc == CHORUS_OK; ++i) {
        char user[24], b32[33];
        std::uint8_t key[BENCH_KEY_BYTES];
        bench_user_name(i, user, sizeof user);
        bench_user_key(i, key);
        bench_key_base32(key, b32);
        chorus_totp_opts opts{};
        opts.secret_base32 = b32;
        chorus_enrollment_t* e = nullptr;
        rc = chorus_enrollment_new(ctx, user, &opts, &e);
        if (rc == CHORUS_OK) rc = chorus_enrollment_commit(ctx, e, nullptr);
        chorus_enrollment_free(&e);
        if (rc != CHORUS_OK)
            std::fprintf(stderr, "enroll %s: %s (%s)\n", user, chorus_strerror(rc),
                         chorus_ctx_last_error(ctx));
    }
    chorus_ctx_free(&ctx);
    return rc == CHORUS_OK ? 0 : 1;
}

int cmd_status(const std::string& dir, const char* user) {
    chorus_ctx_t* ctx = nullptr;
    int rc = chorus_ctx_new(&ctx, (dir + "/chorus.yaml").c_str(), log_stderr, nullptr, 0);
    chorus_status_t* st = nullptr;
    if (rc == CHORUS_OK) rc = chorus_status_get(ctx, user, &st);
    if (rc != CHORUS_OK) {
        std::fprintf(stderr, "status %s: %s\n", user, chorus_strerror(rc));
        chorus_ctx_free(&ctx);
        return 1;
    }
    std::printf("failures=%d last_success=%lld has_totp=%d lock_remaining=%lld\n", chorus_status_failures(st),
                chorus_status_last_success(st), chorus_status_has_totp(st), chorus_status_lock_remaining(st));
    chorus_status_free(&st);
    chorus_ctx_free(&ctx);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "files" && argc == 5)
        return cmd_files(argv[2], static_cast<unsigned>(std::atol(argv[3])), argv[4]);
    if (cmd == "enroll" && argc == 5)
        return cmd_enroll(argv[2], static_cast<unsigned>(std::atol(argv[3])),
                          static_cast<unsigned>(std::atol(argv[4])));
    if (cmd == "status" && argc == 4) return cmd_status(argv[2], argv[3]);
    std::fprintf(stderr, "usage: see the comment at the top of bench/bench_setup.cpp\n");
    return 2;
}
