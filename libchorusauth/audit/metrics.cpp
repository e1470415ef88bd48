// SPDX-License-Identifier: BSD-2-Clause
#include "audit/metrics.hpp"

#include <array>
#include <cstdio>
#include <map>

#include "audit/event.hpp"

namespace chorus {
namespace {

// How an event kind is exposed: its family, and which of its dimensions
// become labels (the others are summed).
struct Family {
    EventKind kind;
    std::string_view name;
    std::string_view help;
    bool by_result;
    std::string_view method_label;  // empty: not by method
};

constexpr std::array<Family, kEventKinds> kFamilies = {{
    {EventKind::login, "chorus_logins_total", "Second-factor checks at login, by result and method.", true,
     "method"},
    {EventKind::lockout, "chorus_lockouts_total", "Accounts locked by failed codes.", false, ""},
    {EventKind::unlock, "chorus_unlocks_total", "Lockouts cleared by an administrator.", false, ""},
    {EventKind::registration, "chorus_registrations_total", "Methods registered, by result and method.", true,
     "method"},
    {EventKind::removal, "chorus_removals_total", "Methods removed, by method.", false, "method"},
    {EventKind::reset, "chorus_resets_total",
     "Password reset steps by result: started (code sent), success (password set), failure, locked, refused.",
     true, ""},
    {EventKind::delivery, "chorus_deliveries_total",
     "Codes and calls handed to the gateways, by channel and result.", true, "channel"},
    {EventKind::failmode, "chorus_failmode_admissions_total",
     "Logins let in without a second factor while the store was unreachable.", false, ""},
    {EventKind::break_glass, "chorus_break_glass_logins_total", "Logins with a break-glass code.", false, ""},
    {EventKind::config_refused, "chorus_config_refused_total", "Times the configuration was refused.", false,
     ""},
    {EventKind::push_answer, "chorus_push_answers_total",
     "Answers to push requests: success (approved), declined, failure (wrong number).", true, ""},
}};

std::string labels(const Family& f, Outcome o, EventMethod m) {
    std::string out;
    auto add = [&](std::string_view key, std::string_view value) {
        out += out.empty() ? "{" : ",";
        out += key;
        out += "=\"";
        out += value;
        out += '"';
    };
    if (f.by_result) add("result", outcome_name(o));
    if (!f.method_label.empty()) add(f.method_label, event_method_name(m));
    if (!out.empty()) out += '}';
    return out;
}

// Series that exist at 0 before the first event, so that rate() and
// absent-based alerts work from the first scrape.
bool always_shown(const Family& f, Outcome o, EventMethod m) {
    if (!f.by_result && f.method_label.empty()) return true;
    if (f.kind == EventKind::login)
        return (o == Outcome::success && m == EventMethod::app) ||
               ((o == Outcome::failure || o == Outcome::locked) && m == EventMethod::none);
    return false;
}

std::string microseconds_as_seconds(std::uint64_t us) {
    std::array<char, 32> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%llu.%06llu", static_cast<unsigned long long>(us / 1000000),
                        static_cast<unsigned long long>(us % 1000000));
    return buf.data();
}

}  // namespace

std::string render_counters(const CounterPage* page) {
    auto read = [page](std::size_t slot) { return page != nullptr ? page->read(slot) : 0; };
    std::string out;
    for (const Family& f : kFamilies) {
        out += "# HELP " + std::string(f.name) + " " + std::string(f.help) + "\n";
        out += "# TYPE " + std::string(f.name) + " counter\n";
        std::map<std::string, std::uint64_t> series;
        for (std::size_t o = 0; o < kOutcomes; ++o)
            for (std::size_t m = 0; m < kEventMethods; ++m) {
                const auto outcome = static_cast<Outcome>(o);
                const auto method = static_cast<EventMethod>(m);
                const std::uint64_t n = read(event_slot(f.kind, outcome, method));
                const std::string key = labels(f, outcome, method);
                if (n != 0 || always_shown(f, outcome, method)) series[key] += n;
            }
        for (const auto& [key, n] : series) out += std::string(f.name) + key + " " + std::to_string(n) + "\n";
    }
    out += "# HELP chorus_store_seconds Time a login's store operation took, lock wait included.\n";
    out += "# TYPE chorus_store_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        cumulative += read(kLatencyFirstSlot + b);
        std::string le = "+Inf";
        if (b < std::size(kLatencyBounds)) {
            std::array<char, 32> buf{};
            (void)std::snprintf(buf.data(), buf.size(), "%g", static_cast<double>(kLatencyBounds[b]) / 1e6);
            le = buf.data();
        }
        out += "chorus_store_seconds_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "chorus_store_seconds_sum " + microseconds_as_seconds(read(kLatencySumSlot)) + "\n";
    out += "chorus_store_seconds_count " + std::to_string(read(kLatencyCountSlot)) + "\n";
    return out;
}

}  // namespace chorus
