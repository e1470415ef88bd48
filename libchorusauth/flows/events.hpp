// SPDX-License-Identifier: BSD-2-Clause
// Reporting a security event: one structured record in the journal (or a
// syslog line), and one count on the host's counter page. Emitting never
// fails a flow and never writes to disk: a host whose journal or /run is
// broken still logs people in (or refuses them) exactly as before.
#pragma once

#include <optional>
#include <string_view>

#include "audit/event.hpp"
#include "flows/context.hpp"

namespace chorus {

struct Event {
    EventKind kind = EventKind::login;
    Outcome outcome = Outcome::failure;  // say success explicitly
    EventMethod method = EventMethod::none;
    std::string_view user;
    std::string_view step;    // reset steps
    std::string_view reason;  // a few words; never a secret, a code or a password
    // False for a step that is not an outcome of its own (a reset's
    // intermediate successes): in the journal, not in the metrics.
    bool counted = true;
};

void emit(const Context& ctx, const Event& e);

// The outcome and, unless one is set, the reason of a refused second
// factor: locked, unavailable, or a failure ("code already used", "no
// answer", "error"; a wrong code needs no words).
void set_refusal(Event& e, Errc code);

// The store latency histogram: one store operation took `micros`. Counted
// only inside a LoginTiming, so that admin reads (chorusctl report, the
// metrics timer's --users) do not drown the logins' figures.
void observe_store_latency(const Context& ctx, std::int64_t micros);

// While it lives, the context's store operations are a login's.
class LoginTiming {
public:
    explicit LoginTiming(const Context& ctx) : cache_(ctx.counters) { cache_.in_login = true; }
    ~LoginTiming() { cache_.in_login = false; }
    LoginTiming(const LoginTiming&) = delete;
    LoginTiming& operator=(const LoginTiming&) = delete;

private:
    CounterCache& cache_;
};

// Registrations and removals, read from what a store write changed: every
// flow that registers or removes a method (logins, chorus-enroll, the web,
// chorusctl) writes the record, so none of them can forget to report.
void report_record_change(const Context& ctx, std::string_view user, const std::optional<UserRecord>& before,
                          const std::optional<UserRecord>& after);

// Before fork(): loads what a child needs to emit (libsystemd).
void prepare_events_for_fork();

}  // namespace chorus
