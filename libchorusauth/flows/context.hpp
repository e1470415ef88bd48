// SPDX-License-Identifier: BSD-2-Clause
// Everything a flow needs: the validated config, the store, a logger and a
// clock. Built once per chorus_ctx_t; front ends never see it.
#pragma once

#include <memory>
#include <optional>

#include "config/config.hpp"
#include "password/blocklist.hpp"
#include "store/open_store.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace chorus {

// Where a login comes from, as the PAM application told us (PAM_TTY,
// PAM_RHOST). Only failmode.allow_console reads it.
struct LoginOrigin {
    std::string tty;
    std::string rhost;
};

struct Context {
    Config config;
    std::unique_ptr<Store> store;
    Logger log;
    std::shared_ptr<const Clock> clock = std::make_shared<Clock>();
    std::optional<Blocklist> blocklist;  // loaded on first password check
    bool blocklist_loaded = false;
    // Unprivileged caller: store refuses everything; logins go through chorus-check.
    bool delegated = false;
    LoginOrigin origin;

    // The time every flow decides by: the host's clock, or the fleet store's
    // once it has been reached (each flow reaches it before reading the time).
    std::int64_t now() const { return clock->now() + (store ? store->clock_offset() : 0); }
};

}  // namespace chorus
