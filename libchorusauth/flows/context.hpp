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
// PAM_RHOST, PAM_SERVICE). failmode.allow_console decides by it; audit
// events report it.
struct LoginOrigin {
    std::string tty;
    std::string rhost;
    std::string service;
};

class CounterPage;

// The host's counter page, mapped on the first event (flows/events.hpp).
struct CounterCache {
    std::shared_ptr<CounterPage> page;
    bool tried = false;
    bool in_login = false;  // store operations now are a login's (LoginTiming)
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
    // Mutable: events are emitted from flows that only read the context.
    mutable CounterCache counters;

    // The time every flow decides by: the host's clock, or the fleet store's
    // once it has been reached (each flow reaches it before reading the time).
    std::int64_t now() const { return clock->now() + (store ? store->clock_offset() : 0); }
};

}  // namespace chorus
