// SPDX-License-Identifier: BSD-2-Clause
// The security events Chorus reports: what each one is called in the
// journal (a stable MESSAGE_ID per kind, CHORUS_* fields) and where it is
// counted on the host's counter page. docs/OPERATIONS.md lists them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/journal.hpp"

namespace chorus {

enum class EventKind : std::uint8_t {
    login,           // a second factor checked at a login (result, method)
    lockout,         // a failure that locked the account
    unlock,          // an admin cleared a lockout
    registration,    // a method registered (method)
    removal,         // a method removed (method)
    reset,           // a step of a password reset (CHORUS_STEP)
    delivery,        // a code or call sent through the delivery helper (method = channel)
    failmode,        // let in without a factor while the store was unreachable
    break_glass,     // let in with a break-glass code while the store was unreachable
    config_refused,  // the configuration did not load: logins are denied
    push_answer,     // the phone answered a push request
};
inline constexpr std::size_t kEventKinds = 11;

// The default is a failure: an event whose outcome nobody set says so.
enum class Outcome : std::uint8_t {
    failure,
    success,
    locked,
    unavailable,
    declined,
    expired,
    started,
    refused
};
inline constexpr std::size_t kOutcomes = 8;

enum class EventMethod : std::uint8_t { none, app, recovery, sms, call, push, email, phone, phone2 };
inline constexpr std::size_t kEventMethods = 9;

std::string_view event_name(EventKind k);
std::string_view message_id(EventKind k);  // 32 hex digits, stable across releases
std::string_view outcome_name(Outcome o);
std::string_view event_method_name(EventMethod m);

struct EventFields {
    EventKind kind = EventKind::login;
    Outcome outcome = Outcome::failure;
    EventMethod method = EventMethod::none;
    std::string_view user;
    std::string_view step;    // reset only: start, send-code, check-code, second-factor, finish
    std::string_view reason;  // a few words on why; never a secret
    std::string_view service;
    std::string_view rhost;
    std::string_view tty;
};

// The record: MESSAGE (a sentence), MESSAGE_ID, PRIORITY, SYSLOG_IDENTIFIER
// and the CHORUS_* fields that are set, control bytes escaped and each value
// cut at 256 bytes.
std::vector<JournalField> event_record(const EventFields& e);
int event_priority(const EventFields& e);  // syslog priority

// The counter page's slots: one per kind, outcome and method, then the
// store latency histogram.
std::size_t event_slot(EventKind k, Outcome o, EventMethod m);
inline constexpr std::size_t kEventSlots = kEventKinds * kOutcomes * kEventMethods;
// Upper bounds (microseconds) of the store latency buckets; +Inf follows.
inline constexpr std::int64_t kLatencyBounds[] = {500,   1000,   2500,   5000,   10000,   25000,
                                                  50000, 100000, 250000, 500000, 1000000, 5000000};
inline constexpr std::size_t kLatencyBuckets = std::size(kLatencyBounds) + 1;
inline constexpr std::size_t kLatencyFirstSlot = kEventSlots;
inline constexpr std::size_t kLatencyCountSlot = kLatencyFirstSlot + kLatencyBuckets;
inline constexpr std::size_t kLatencySumSlot = kLatencyCountSlot + 1;  // microseconds

}  // namespace chorus
