// SPDX-License-Identifier: BSD-2-Clause
#include "flows/check_helper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/fd.hpp"

#ifndef CHORUS_LIBEXECDIR
#define CHORUS_LIBEXECDIR "/usr/libexec/chorus"
#endif

namespace chorus {

const char* check_helper_path() { return CHORUS_LIBEXECDIR "/chorus-check"; }

Result<CheckAnswer> run_check_helper(const Context& ctx, std::string_view op, std::string_view code) {
    SecretString request{op};
    request.raw() += '\n';
    if (op == "verify") {
        request.raw() += code;
        request.raw() += '\n';
    }
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) return errno_error("pipe", errno);
    UniqueFd in_r(in[0]), in_w(in[1]);
    if (pipe2(out, O_CLOEXEC) != 0) return errno_error("pipe", errno);
    UniqueFd out_r(out[0]), out_w(out[1]);
    const char* path = check_helper_path();
    pid_t pid = fork();
    if (pid < 0) return errno_error("fork", errno);
    if (pid == 0) {
        if (dup2(in_r.get(), 0) < 0 || dup2(out_w.get(), 1) < 0) _exit(static_cast<int>(CheckStatus::failure));
        char* const argv[] = {const_cast<char*>("chorus-check"), nullptr};
        char* const envp[] = {nullptr};
        execve(path, argv, envp);
        _exit(127);
    }
    in_r.reset();
    out_w.reset();
    struct sigaction ign{}, old{};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    Status wrote = write_all(in_w.get(), request.view());
    sigaction(SIGPIPE, &old, nullptr);
    in_w.reset();
    auto reply = read_all(out_r.get(), 64);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!wrote.ok()) return wrote.error();
    if (!WIFEXITED(status)) return make_error(Errc::io, "chorus-check crashed");
    if (WEXITSTATUS(status) == 127) return make_error(Errc::io, std::string("cannot run ") + path);
    CheckAnswer a;
    a.status = static_cast<CheckStatus>(WEXITSTATUS(status));
    if (a.status == CheckStatus::locked && reply.ok()) a.lock_remaining = std::strtoll(reply->c_str(), nullptr, 10);
    CHORUS_DEBUG(ctx.log, "chorus-check %.*s answered %d", static_cast<int>(op.size()), op.data(), WEXITSTATUS(status));
    return a;
}

}  // namespace chorus
