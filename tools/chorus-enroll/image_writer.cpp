// SPDX-License-Identifier: BSD-2-Clause
#include "chorus-enroll/image_writer.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/text.hpp"

namespace chorus_enroll {
namespace {

constexpr uint64_t kMaxImage = 16U << 20;

bool write_all(int fd, const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    while (n > 0) {
        const ssize_t w = ::write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        b += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

// Reads exactly n bytes; false on EOF or error.
bool read_all(int fd, void* p, size_t n) {
    auto* b = static_cast<unsigned char*>(p);
    while (n > 0) {
        const ssize_t r = ::read(fd, b, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        b += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

[[noreturn]] void child_fail(const char* what, const std::string& path, int err) {
    std::fprintf(stderr, "%s: %s %s: %s\n", kProg, what, chorus_tools::escape_text(path).c_str(),
                 std::strerror(err));
    ::_exit(kExitFail);
}

// Drops to the invoker for good; returns only when that worked.
void drop_privileges(const Invoker& inv, const std::string& path) {
    if (::setgroups(inv.groups.size(), inv.groups.data()) != 0)
        child_fail("dropping groups for", path, errno);
    if (::setresgid(inv.gid, inv.gid, inv.gid) != 0) child_fail("dropping group id for", path, errno);
    if (::setresuid(inv.uid, inv.uid, inv.uid) != 0) child_fail("dropping user id for", path, errno);
    uid_t r = 0, e = 0, sv = 0;
    gid_t rg = 0, eg = 0, sg = 0;
    if (::getresuid(&r, &e, &sv) != 0 || r != inv.uid || e != inv.uid || sv != inv.uid ||
        ::getresgid(&rg, &eg, &sg) != 0 || rg != inv.gid || eg != inv.gid || sg != inv.gid)
        child_fail("privileges still held for", path, EPERM);
    if (inv.uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0 || ::setgid(0) == 0))
        child_fail("privileges could be regained for", path, EPERM);
    (void)::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

[[noreturn]] void child_main(const Invoker& inv, const std::string& path, int data_fd, int ack_fd) {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) (void)::signal(sig, SIG_IGN);  // the parent decides
    drop_privileges(inv, path);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) child_fail("cannot create", path, errno);
    (void)!::write(ack_fd, "o", 1);
    uint64_t size = 0;
    std::vector<unsigned char> buf;
    bool ok = read_all(data_fd, &size, sizeof size) && size > 0 && size <= kMaxImage;
    if (ok) {
        buf.resize(size);
        ok = read_all(data_fd, buf.data(), buf.size());
    }
    if (!ok) {  // abandoned: leave nothing behind
        ::close(fd);
        (void)::unlink(path.c_str());
        ::_exit(kExitFail);
    }
    if (!write_all(fd, buf.data(), buf.size()) || ::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        (void)::unlink(path.c_str());
        child_fail("cannot write", path, err);
    }
    (void)!::write(ack_fd, "w", 1);
    char keep = 0;
    if (read_all(data_fd, &keep, 1) && keep == 'k') ::_exit(kExitOk);
    (void)::unlink(path.c_str());  // the key was never saved
    ::_exit(kExitFail);
}

}  // namespace

bool ImageWriter::start(const Invoker& inv) {
    int data[2], ack[2];
    if (::pipe2(data, O_CLOEXEC) != 0)
        return complain(kExitFail, "pipe: " + std::string(std::strerror(errno))), false;
    if (::pipe2(ack, O_CLOEXEC) != 0) {
        ::close(data[0]);
        ::close(data[1]);
        return complain(kExitFail, "pipe: " + std::string(std::strerror(errno))), false;
    }
    std::fflush(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::close(data[1]);
        ::close(ack[0]);
        child_main(inv, path_, data[0], ack[1]);
    }
    ::close(data[0]);
    ::close(ack[1]);
    if (pid_ < 0) {
        ::close(data[1]);
        ::close(ack[0]);
        return complain(kExitFail, "fork: " + std::string(std::strerror(errno))), false;
    }
    data_fd_ = data[1];
    ack_fd_ = ack[0];
    char c = 0;
    const bool created = read_all(ack_fd_, &c, 1) && c == 'o';
    if (!created) reap();  // the child said why
    return created;
}

bool ImageWriter::finish(std::string_view data) {
    if (data_fd_ < 0) return false;
    const uint64_t size = data.size();
    char c = 0;
    if (write_all(data_fd_, &size, sizeof size) && write_all(data_fd_, data.data(), data.size()) &&
        read_all(ack_fd_, &c, 1) && c == 'w')
        return true;
    reap();
    complain(kExitFail, "the QR image " + chorus_tools::escape_text(path_) + " was not written");
    return false;
}

bool ImageWriter::keep() {
    if (data_fd_ < 0 || !write_all(data_fd_, "k", 1)) return false;
    ::close(data_fd_);
    data_fd_ = -1;
    // Kept only when waitpid() names the child and says it exited 0.
    int status = -1;
    pid_t r = -1;
    while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    const bool exited_ok = r == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    pid_ = -1;
    ::close(ack_fd_);
    ack_fd_ = -1;
    if (exited_ok) return true;
    complain(kExitFail, "the QR image " + chorus_tools::escape_text(path_) + " was not kept");
    return false;
}

void ImageWriter::reap() {
    if (data_fd_ >= 0) ::close(data_fd_);
    if (ack_fd_ >= 0) ::close(ack_fd_);
    data_fd_ = ack_fd_ = -1;
    if (pid_ > 0)
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    pid_ = -1;
}

ImageWriter::~ImageWriter() {
    reap();
}

}  // namespace chorus_enroll
