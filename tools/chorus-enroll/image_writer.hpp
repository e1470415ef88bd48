// SPDX-License-Identifier: BSD-2-Clause
// Writing a QR image (--qr-svg, --qr-png) with the INVOKING user's rights,
// never root's: a child process drops every privilege (groups, gid, uid, and
// checks they can't be regained), creates the file with O_EXCL|O_NOFOLLOW,
// mode 0600, and writes what the parent sends through a pipe.
//
// The child is started before the configuration is loaded, so its copy of
// our memory holds no configuration secrets. It creates the file at once
// (so "file exists" is reported before registration starts), writes the
// image when it comes, and then waits: the file stays only when the parent
// confirms (keep(), after the key was saved); otherwise (registration
// abandoned, wrong codes, a crash) the child removes it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "chorus-enroll/enroll.hpp"

namespace chorus_enroll {

class ImageWriter {
public:
    enum class Kind { svg, png };
    ImageWriter(std::string path, Kind kind) : path_(std::move(path)), kind_(kind) {}
    ~ImageWriter();  // without finish(): the child removes the file
    ImageWriter(const ImageWriter&) = delete;
    ImageWriter& operator=(const ImageWriter&) = delete;

    // Forks the child and waits until it created the file; false after a message.
    [[nodiscard]] bool start(const Invoker& inv);
    // Sends the image and waits until it is on disk; false after a message.
    [[nodiscard]] bool finish(std::string_view data);
    // The key was saved: the file stays. False after a message.
    [[nodiscard]] bool keep();

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] Kind kind() const { return kind_; }

private:
    void reap();
    std::string path_;
    Kind kind_;
    pid_t pid_ = -1;
    int data_fd_ = -1;  // parent's write end: size, image, then 'k' to keep
    int ack_fd_ = -1;   // parent's read end: 'o' created, 'w' written
};

}  // namespace chorus_enroll
