// SPDX-License-Identifier: BSD-2-Clause
#include "flows/helper_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <mutex>

#include "util/fd.hpp"

namespace chorus {
static_assert(kHelperNoExit != 0, "a default outcome must not read as an exit");

namespace {

std::int64_t now_ms() {
    struct timespec t {};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

// Sets one signal's disposition for the lifetime of the guard and puts the
// caller's back afterwards (flags such as SA_NOCLDWAIT included).
class SignalDisposition {
public:
    SignalDisposition(int sig, void (*handler)(int)) : sig_(sig) {
        struct sigaction sa {};
        sa.sa_handler = handler;
        sigemptyset(&sa.sa_mask);
        set_ = ::sigaction(sig, &sa, &old_) == 0;
    }
    SignalDisposition(const SignalDisposition&) = delete;
    SignalDisposition& operator=(const SignalDisposition&) = delete;
    ~SignalDisposition() {
        if (set_) (void)::sigaction(sig_, &old_, nullptr);
    }
    bool ok() const { return set_; }

private:
    int sig_;
    struct sigaction old_ {};
    bool set_ = false;
};

// A descriptor of ours that sits on 0, 1 or 2 (the caller had closed its
// standard ones) would be overwritten by the dup2()s in the child: move it up.
Status above_stdio(UniqueFd& fd) {
    if (fd.get() > 2) return ok_status();
    UniqueFd moved(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
    if (!moved.valid()) return errno_error("fcntl(F_DUPFD_CLOEXEC)", errno);
    fd = std::move(moved);
    return ok_status();
}

// In the child, between fork and execve: only async-signal-safe calls.
[[noreturn]] void exec_child(const HelperCall& call, char* const* argv, int in_fd, int out_fd, int null_fd) {
    sigset_t none;
    sigemptyset(&none);
    // NOLINTNEXTLINE(concurrency-mt-unsafe): one thread after fork(); sigprocmask() is async-signal-safe
    (void)::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Ignored signals survive execve: give the helper the defaults.
    // NOLINTNEXTLINE(concurrency-mt-unsafe): one thread after fork(); signal() is async-signal-safe
    for (int sig = 1; sig < NSIG; ++sig) (void)::signal(sig, SIG_DFL);
    if (::dup2(in_fd, 0) < 0 || ::dup2(call.capture_output ? out_fd : null_fd, 1) < 0 ||
        ::dup2(null_fd, 2) < 0)
        ::_exit(kHelperExecFailed);
    // Nothing the caller holds open (its sockets, its terminal) reaches the helper.
    if (::close_range(3, ~0U, 0) != 0) {
        struct rlimit rl {};
        const rlim_t top =
            ::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 65536;
        for (rlim_t fd = 3; fd < top; ++fd) (void)::close(static_cast<int>(fd));
    }
    char* const envp[] = {nullptr};
    ::execve(call.path.c_str(), argv, envp);
    ::_exit(kHelperExecFailed);
}

// Feeds the input and collects the output until both are done, the output
// is too long, or the deadline passes.
Status exchange(const HelperCall& call, UniqueFd& in_w, UniqueFd& out_r, std::int64_t deadline,
                std::string& out) {
    std::size_t written = 0;
    if (call.input.empty()) in_w.reset();
    if (in_w.valid() && ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK) != 0) return errno_error("fcntl", errno);
    while (in_w.valid() || out_r.valid()) {
        struct pollfd pfd[2] = {{in_w.get(), POLLOUT, 0}, {out_r.get(), POLLIN, 0}};
        const std::int64_t left = deadline - now_ms();
        if (left <= 0) return make_error(Errc::io, call.path + " did not answer in time");
        const int n = ::poll(pfd, 2, static_cast<int>(left));
        if (n < 0 && errno != EINTR) return errno_error("poll", errno);
        if (n <= 0) continue;
        if (in_w.valid() && pfd[0].revents != 0) {
            const ssize_t w = ::write(in_w.get(), call.input.data() + written, call.input.size() - written);
            if (w < 0 && errno != EINTR && errno != EAGAIN)
                return errno_error("writing to " + call.path, errno);
            if (w > 0) written += static_cast<std::size_t>(w);
            if (written == call.input.size()) in_w.reset();  // EOF for the helper
        }
        if (out_r.valid() && pfd[1].revents != 0) {
            char buf[256];
            const ssize_t r = ::read(out_r.get(), buf, sizeof buf);
            if (r < 0 && errno != EINTR && errno != EAGAIN)
                return errno_error("reading from " + call.path, errno);
            if (r == 0) out_r.reset();
            if (r > 0) out.append(buf, static_cast<std::size_t>(r));
            if (out.size() > call.max_output) return make_error(Errc::io, call.path + " answered too much");
        }
    }
    return ok_status();
}

// Reaps pid before the deadline. Only a waitpid() that names pid is an
// answer; when waitpid() fails, `lost` says the child is no longer ours.
Result<int> reap(pid_t pid, std::int64_t deadline, bool& lost) {
    long nap_ns = 1000L * 1000;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) {
            lost = true;
            return errno_error("waitpid", errno);
        }
        if (now_ms() >= deadline) return make_error(Errc::io, "helper did not exit in time");
        struct timespec t {
            0, nap_ns
        };
        ::nanosleep(&t, nullptr);
        if (nap_ns < 20L * 1000 * 1000) nap_ns *= 2;
    }
}

// A child we give up on is killed and reaped, so it neither lingers nor
// answers later.
void kill_and_reap(pid_t pid) {
    (void)::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

Result<HelperExit> run_helper(const HelperCall& call) {
    std::vector<std::string> arg_store;
    arg_store.push_back(call.path.substr(call.path.find_last_of('/') + 1));
    arg_store.insert(arg_store.end(), call.args.begin(), call.args.end());
    std::vector<char*> argv;
    argv.reserve(arg_store.size() + 1);
    for (auto& a : arg_store) argv.push_back(a.data());
    argv.push_back(nullptr);

    UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd.valid()) return errno_error("open /dev/null", errno);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return errno_error("pipe", errno);
    UniqueFd in_r(in[0]), in_w(in[1]);
    if (::pipe2(out, O_CLOEXEC) != 0) return errno_error("pipe", errno);
    UniqueFd out_r(out[0]), out_w(out[1]);
    for (UniqueFd* fd : {&null_fd, &in_r, &in_w, &out_r, &out_w}) CHORUS_RETURN_IF_ERROR(above_stdio(*fd));

    // The SIGCHLD disposition is the process's: two threads running helpers
    // at once would each restore the other's temporary default.
    static std::mutex one_at_a_time;
    const std::lock_guard<std::mutex> serial(one_at_a_time);

    // With SIGCHLD ignored (or SA_NOCLDWAIT) the kernel reaps the child
    // itself and waitpid() fails; a handler of the caller could reap it
    // first. At its default, the child's exit is ours to read.
    SignalDisposition chld(SIGCHLD, SIG_DFL);
    if (!chld.ok()) return errno_error("sigaction(SIGCHLD)", errno);
    // A helper that exits before reading must give EPIPE, not kill the caller.
    SignalDisposition pipe_sig(SIGPIPE, SIG_IGN);
    if (!pipe_sig.ok()) return errno_error("sigaction(SIGPIPE)", errno);

    const std::int64_t deadline = now_ms() + call.timeout_ms;
    const pid_t pid = ::fork();
    if (pid < 0) return errno_error("fork", errno);
    if (pid == 0) exec_child(call, argv.data(), in_r.get(), out_w.get(), null_fd.get());
    in_r.reset();
    out_w.reset();
    if (!call.capture_output) out_r.reset();

    HelperExit result;
    Status talked = exchange(call, in_w, out_r, deadline, result.output);
    if (!talked.ok()) {
        kill_and_reap(pid);
        return std::move(talked).error();
    }
    bool lost = false;
    auto status = reap(pid, deadline, lost);
    if (!status.ok()) {
        if (!lost) kill_and_reap(pid);
        return std::move(status).error();
    }
    if (WIFEXITED(*status)) {
        result.exited = true;
        result.exit_status = WEXITSTATUS(*status);
    } else if (WIFSIGNALED(*status)) {
        result.signal = WTERMSIG(*status);
    }
    return result;
}

}  // namespace chorus
