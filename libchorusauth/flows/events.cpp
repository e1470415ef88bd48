// SPDX-License-Identifier: BSD-2-Clause
#include "flows/events.hpp"

#include <errno.h>  // program_invocation_short_name
#include <unistd.h>

#include <algorithm>

#include "audit/counters.hpp"
#include "audit/journal.hpp"

namespace chorus {
namespace {

// Only root counts: the page is root's, and an unprivileged process (a
// screen locker's delegated login) has its helper count for it.
CounterPage* counter_page(const Context& ctx) {
    CounterCache& cache = ctx.counters;
    if (!cache.tried) {
        cache.tried = true;
        if (!ctx.config.audit.counters.empty() && ::geteuid() == 0) {
            auto opened = CounterPage::open(ctx.config.audit.counters, true);
            if (opened.ok())
                cache.page = std::move(opened).value();
            else
                ctx.log.logf(LogLevel::notice, "metrics not counted: %s", opened.error().message.c_str());
        }
    }
    return cache.page.get();
}

std::size_t app_count(const UserRecord& r) {
    return (r.totp ? 1 : 0) + r.more_apps.size();
}

bool has_hash(const std::vector<HashedCode>& codes, const std::string& hash) {
    return std::any_of(codes.begin(), codes.end(), [&](const HashedCode& c) { return c.hash == hash; });
}

bool has_device(const std::vector<PushDevice>& devices, const std::string& serial) {
    return std::any_of(devices.begin(), devices.end(),
                       [&](const PushDevice& d) { return d.serial == serial; });
}

struct Change {
    EventKind kind;
    EventMethod method;
};

// A contact counts once proven: registered when it is proven (again, or a
// new value), removed when its value goes.
void contact_changes(std::vector<Change>& out, EventMethod m, const std::string& old_value,
                     std::int64_t old_proven, const std::string& new_value, std::int64_t new_proven) {
    if (new_proven != 0 && !new_value.empty() && (new_value != old_value || new_proven != old_proven))
        out.push_back({EventKind::registration, m});
    else if (!old_value.empty() && new_value.empty())
        out.push_back({EventKind::removal, m});
}

std::vector<Change> record_changes(const UserRecord& b, const UserRecord& a) {
    std::vector<Change> out;
    const std::size_t apps_before = app_count(b), apps_after = app_count(a);
    for (std::size_t i = apps_before; i < apps_after; ++i)
        out.push_back({EventKind::registration, EventMethod::app});
    for (std::size_t i = apps_after; i < apps_before; ++i)
        out.push_back({EventKind::removal, EventMethod::app});
    // The same number of apps with a new enrollment time: a key replaced.
    if (apps_before == apps_after && a.totp && a.enrolled_at != b.enrolled_at)
        out.push_back({EventKind::registration, EventMethod::app});
    contact_changes(out, EventMethod::phone, b.phone, b.phone_proven_at, a.phone, a.phone_proven_at);
    contact_changes(out, EventMethod::phone2, b.phone2, b.phone2_proven_at, a.phone2, a.phone2_proven_at);
    contact_changes(out, EventMethod::email, b.email, b.email_proven_at, a.email, a.email_proven_at);
    // A new set of recovery codes; spending the last one is no removal, so
    // only a set that goes whole (more than one code) counts as removed.
    if (std::any_of(a.recovery.begin(), a.recovery.end(),
                    [&](const HashedCode& c) { return !has_hash(b.recovery, c.hash); }))
        out.push_back({EventKind::registration, EventMethod::recovery});
    else if (a.recovery.empty() && b.recovery.size() > 1)
        out.push_back({EventKind::removal, EventMethod::recovery});
    for (const PushDevice& d : a.push_devices)
        if (!has_device(b.push_devices, d.serial))
            out.push_back({EventKind::registration, EventMethod::push});
    for (const PushDevice& d : b.push_devices)
        if (!has_device(a.push_devices, d.serial)) out.push_back({EventKind::removal, EventMethod::push});
    return out;
}

}  // namespace

void report_record_change(const Context& ctx, std::string_view user, const std::optional<UserRecord>& before,
                          const std::optional<UserRecord>& after) {
    try {
        const UserRecord none;
        for (const Change& c : record_changes(before ? *before : none, after ? *after : none)) {
            Event e;
            e.kind = c.kind;
            e.outcome = Outcome::success;
            e.method = c.method;
            e.user = user;
            emit(ctx, e);
        }
    } catch (...) {
        // As in emit().
    }
}

void emit(const Context& ctx, const Event& e) {
    try {
        EventFields f;
        f.kind = e.kind;
        f.outcome = e.outcome;
        f.method = e.method;
        f.user = e.user;
        f.step = e.step;
        f.reason = e.reason;
        f.service = ctx.origin.service.empty() ? std::string_view(program_invocation_short_name)
                                               : std::string_view(ctx.origin.service);
        f.rhost = ctx.origin.rhost;
        f.tty = ctx.origin.tty;
        const std::vector<JournalField> record = event_record(f);
        if (!ctx.config.audit.journal || !journal_send(record)) syslog_send(event_priority(f), record);
        if (CounterPage* page = e.counted ? counter_page(ctx) : nullptr)
            page->add(event_slot(e.kind, e.outcome, e.method));
    } catch (...) {
        // Out of memory while reporting: the decision stands, unreported.
    }
}

void set_refusal(Event& e, Errc code) {
    e.outcome = Outcome::failure;
    std::string_view why;
    switch (code) {
    case Errc::locked:
        e.outcome = Outcome::locked;
        break;
    case Errc::unavailable:
        e.outcome = Outcome::unavailable;
        break;
    case Errc::bad_code:
        break;
    case Errc::replay:
        why = "code already used";
        break;
    case Errc::conversation:
        why = "no answer";
        break;
    default:
        why = "error";
        break;
    }
    if (e.reason.empty()) e.reason = why;
}

void observe_store_latency(const Context& ctx, std::int64_t micros) {
    if (!ctx.counters.in_login) return;
    try {
        CounterPage* page = counter_page(ctx);
        if (page == nullptr) return;
        if (micros < 0) micros = 0;
        std::size_t bucket = 0;
        while (bucket < std::size(kLatencyBounds) && micros > kLatencyBounds[bucket]) ++bucket;
        page->add(kLatencyFirstSlot + bucket);
        page->add(kLatencyCountSlot);
        page->add(kLatencySumSlot, static_cast<std::uint64_t>(micros));
    } catch (...) {
        // As in emit(): never the reason a login fails.
    }
}

void prepare_events_for_fork() {
    journal_preload();
}

}  // namespace chorus
