// SPDX-License-Identifier: BSD-2-Clause
#include "command.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace chorus_deliver {

bool uses_command(const Settings& s, Channel c) {
    if (s.command.empty()) return false;
    return std::find(s.command_channels.begin(), s.command_channels.end(), std::string(channel_name(c))) !=
           s.command_channels.end();
}

Outcome run_command(const Settings& s, std::string_view request, const Deadline& d) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return {kNetwork, "pipe failed"};
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(in[0]);
        ::close(in[1]);
        return {kNetwork, "fork failed"};
    }
    if (pid == 0) {
        if (::dup2(in[0], 0) < 0) ::_exit(127);
        std::string path = s.command;
        char* const argv[] = {path.data(), nullptr};
        char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
        char* const envp[] = {env_path, nullptr};
        ::execve(path.c_str(), argv, envp);
        ::_exit(127);
    }
    ::close(in[0]);
    // A command that exits without reading must not kill us (SIGPIPE is ignored
    // by harden()); a short write is then simply its loss.
    for (std::size_t off = 0; off < request.size();) {
        const ssize_t n = ::write(in[1], request.data() + off, request.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    int status = -1;  // read only after waitpid() named the child
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return {kNetwork, "waitpid failed"};
        if (d.passed()) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return {kNetwork, "command timed out"};
        }
        struct timespec nap {
            0, 20 * 1000 * 1000
        };
        ::nanosleep(&nap, nullptr);
    }
    if (!WIFEXITED(status)) return {kRefused, "command killed by a signal"};
    if (WEXITSTATUS(status) == 127) return {kConfig, "command could not be started"};
    if (WEXITSTATUS(status) != 0) return {kRefused, "command exit " + std::to_string(WEXITSTATUS(status))};
    return {kDelivered, "command delivered"};
}

}  // namespace chorus_deliver
