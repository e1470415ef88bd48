// SPDX-License-Identifier: BSD-2-Clause
// libmicrohttpd, owned: one thread per connection (a flow may wait for a
// phone call), bounded connections per address and in all, a memory cap per
// connection, an idle timeout, and bodies above kMaxBody refused unread.
#pragma once

#include <cstddef>

#include "http/app.hpp"

struct MHD_Daemon;

namespace chorus_web {

inline constexpr std::size_t kMaxBody = std::size_t{8} * 1024;

class Server {
public:
    Server(App& app, int listen_fd);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    [[nodiscard]] bool running() const { return daemon_ != nullptr; }

private:
    App& app_;
    MHD_Daemon* daemon_ = nullptr;
};

}  // namespace chorus_web
