// SPDX-License-Identifier: BSD-2-Clause
#include "flows/deliver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "util/fd.hpp"

namespace chorus {
namespace {

// Waits for pid up to timeout_s seconds; kills it after that.
Result<int> wait_with_deadline(pid_t pid, std::int64_t timeout_s) {
    auto ms_now = [] {
        struct timespec t{};
        clock_gettime(CLOCK_MONOTONIC, &t);
        return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
    };
    const std::int64_t deadline = ms_now() + timeout_s * 1000;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return errno_error("waitpid", errno);
        if (ms_now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return make_error(Errc::io, "delivery helper timed out");
        }
        struct timespec nap{0, 20 * 1000 * 1000};
        nanosleep(&nap, nullptr);
    }
}

}  // namespace

const char* channel_name(Channel c) {
    switch (c) {
    case Channel::email: return "email";
    case Channel::sms: return "sms";
    case Channel::voice: return "voice";
    }
    return "unknown";
}

bool channel_configured(const DeliveryConfig& dc, Channel c) {
    for (const auto& listed : dc.command_channels)
        if (!dc.command.empty() && listed == channel_name(c)) return true;
    switch (c) {
    case Channel::email: return !dc.smtp_url.empty();
    case Channel::sms: return !dc.sms_url.empty();
    case Channel::voice: return !dc.voice_url.empty();
    }
    return false;
}

Status deliver(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
               std::string_view body) {
    const DeliveryConfig& dc = ctx.config.delivery;
    SecretString request("channel: ");
    request.raw() += channel_name(channel);
    request.raw() += "\nto: ";
    request.raw() += to;
    request.raw() += "\nsubject: ";
    request.raw() += subject;
    request.raw() += "\n\n";
    request.raw() += body;

    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) return errno_error("pipe", errno);
    UniqueFd read_end(in[0]), write_end(in[1]);
    std::string helper = dc.helper;
    pid_t pid = fork();
    if (pid < 0) return errno_error("fork", errno);
    if (pid == 0) {
        // Child: stdin from the pipe, stdout/stderr to /dev/null, empty environment.
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (dup2(read_end.get(), 0) < 0 || devnull < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0) _exit(127);
        // A configuration named explicitly (config=) is passed on, so the
        // helper reads the same delivery settings; it accepts that from root only.
        std::string config = ctx.config.source;
        const bool explicit_config = !config.empty() && config[0] == '/' && config != kDefaultConfigPath;
        char opt[] = "--config";
        char* const with_config[] = {helper.data(), opt, config.data(), nullptr};
        char* const plain[] = {helper.data(), nullptr};
        char* const* argv = explicit_config && getuid() == 0 ? with_config : plain;
        char* const envp[] = {nullptr};
        execve(helper.c_str(), argv, envp);
        _exit(127);
    }
    read_end.reset();
    // A helper that exits early must not kill us with SIGPIPE.
    struct sigaction ign{}, old{};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    Status wrote = write_all(write_end.get(), request.view());
    sigaction(SIGPIPE, &old, nullptr);
    write_end.reset();
    CHORUS_ASSIGN_OR_RETURN(int status, wait_with_deadline(pid, dc.timeout));
    if (!wrote.ok()) return wrote;
    if (!WIFEXITED(status)) return make_error(Errc::io, "delivery helper crashed");
    if (WEXITSTATUS(status) == 127) return make_error(Errc::io, "delivery helper " + dc.helper + " could not be started");
    if (WEXITSTATUS(status) != 0)
        return make_error(Errc::io, std::string(channel_name(channel)) + " delivery failed (helper exit " +
                                        std::to_string(WEXITSTATUS(status)) + ")");
    ctx.log.logf(LogLevel::info, "%s sent", channel_name(channel));
    return {};
}

void deliver_detached(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                      std::string_view body) {
    pid_t child = fork();
    if (child < 0) {
        ctx.log.logf(LogLevel::error, "%s not sent: fork failed", channel_name(channel));
        return;
    }
    if (child == 0) {
        // The grandchild is adopted by init, so nobody waits on a slow server.
        pid_t grandchild = fork();
        if (grandchild == 0) {
            setsid();
            Status st = deliver(ctx, channel, to, subject, body);
            if (!st.ok()) ctx.log.logf(LogLevel::error, "%s not sent: %s", channel_name(channel), st.error().message.c_str());
            _exit(st.ok() ? 0 : 1);
        }
        _exit(grandchild < 0 ? 1 : 0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace chorus
