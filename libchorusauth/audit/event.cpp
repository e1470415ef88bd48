// SPDX-License-Identifier: BSD-2-Clause
#include "audit/event.hpp"

#include <syslog.h>

#include <array>

#include "audit/counters.hpp"
#include "util/log.hpp"

namespace chorus {
namespace {

static_assert(kLatencySumSlot < CounterPage::kSlots, "the counter page holds every slot");

struct KindInfo {
    std::string_view name;
    std::string_view message_id;
};

// Stable: an admin's journalctl MESSAGE_ID=... filter must keep working.
constexpr std::array<KindInfo, kEventKinds> kKinds = {{
    {"login", "5a01e8d5ba214009b2f37e403a20f968"},
    {"lockout", "a1d915144163400ab76594d837680007"},
    {"unlock", "47872e0d1fa9417f9dc7fbb4f13947c6"},
    {"registration", "0355078c045b4fa9b6edcf1ba2730cc6"},
    {"removal", "53570350814e4d9083bba52fb933f481"},
    {"reset", "c218d1e85b3d4805a8c1cc60883d4b87"},
    {"delivery", "b7a20f9aef004aea8dc8ee4834be2b42"},
    {"failmode", "1f01059434bc4d04917a0e5198fa7d27"},
    {"break-glass", "eba78769b3ea44f4a25d9ca636454ed2"},
    {"config-refused", "ead0bfd01d214d3a929e3c32fa17a63c"},
    {"push-answer", "a2486cd6204f4ce99a728a1f5cc2569d"},
}};

constexpr std::array<std::string_view, kOutcomes> kOutcomeNames = {
    "failure", "success", "locked", "unavailable", "declined", "expired", "started", "refused"};

constexpr std::array<std::string_view, kEventMethods> kMethodNames = {
    "none", "app", "recovery", "sms", "call", "push", "email", "phone", "phone2"};

std::string clean(std::string_view v) {
    return escape_control(v.substr(0, 256));
}

void add_field(std::vector<JournalField>& out, const char* key, std::string_view value) {
    if (!value.empty()) out.push_back({key, clean(value)});
}

// "login of alice: success (app) from 192.0.2.7 via sshd".
std::string sentence(const EventFields& e) {
    std::string s(event_name(e.kind));
    if (!e.step.empty()) s += " " + clean(e.step);
    if (!e.user.empty()) s += " of " + clean(e.user);
    s += ": ";
    s += outcome_name(e.outcome);
    if (e.method != EventMethod::none) s += " (" + std::string(event_method_name(e.method)) + ")";
    if (!e.reason.empty()) s += ", " + clean(e.reason);
    if (!e.rhost.empty()) s += " from " + clean(e.rhost);
    if (!e.service.empty()) s += " via " + clean(e.service);
    return s;
}

}  // namespace

std::string_view event_name(EventKind k) {
    return kKinds.at(static_cast<std::size_t>(k)).name;
}

std::string_view message_id(EventKind k) {
    return kKinds.at(static_cast<std::size_t>(k)).message_id;
}

std::string_view outcome_name(Outcome o) {
    return kOutcomeNames.at(static_cast<std::size_t>(o));
}

std::string_view event_method_name(EventMethod m) {
    return kMethodNames.at(static_cast<std::size_t>(m));
}

int event_priority(const EventFields& e) {
    switch (e.kind) {
    case EventKind::config_refused:
        return LOG_ERR;
    case EventKind::lockout:
    case EventKind::failmode:
    case EventKind::break_glass:
        return LOG_WARNING;
    default:
        return e.outcome == Outcome::success || e.outcome == Outcome::started ? LOG_INFO : LOG_NOTICE;
    }
}

std::vector<JournalField> event_record(const EventFields& e) {
    std::vector<JournalField> out;
    out.push_back({"MESSAGE", sentence(e)});
    out.push_back({"MESSAGE_ID", std::string(message_id(e.kind))});
    out.push_back({"PRIORITY", std::to_string(event_priority(e))});
    out.push_back({"SYSLOG_FACILITY", std::to_string(LOG_AUTHPRIV >> 3)});
    out.push_back({"SYSLOG_IDENTIFIER", "chorus"});
    out.push_back({"CHORUS_EVENT", std::string(event_name(e.kind))});
    out.push_back({"CHORUS_RESULT", std::string(outcome_name(e.outcome))});
    if (e.method != EventMethod::none)
        out.push_back({"CHORUS_METHOD", std::string(event_method_name(e.method))});
    add_field(out, "CHORUS_USER", e.user);
    add_field(out, "CHORUS_STEP", e.step);
    add_field(out, "CHORUS_REASON", e.reason);
    add_field(out, "CHORUS_SERVICE", e.service);
    add_field(out, "CHORUS_RHOST", e.rhost);
    add_field(out, "CHORUS_TTY", e.tty);
    return out;
}

std::size_t event_slot(EventKind k, Outcome o, EventMethod m) {
    return (static_cast<std::size_t>(k) * kOutcomes + static_cast<std::size_t>(o)) * kEventMethods +
           static_cast<std::size_t>(m);
}

}  // namespace chorus
