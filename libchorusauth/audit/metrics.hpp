// SPDX-License-Identifier: BSD-2-Clause
// The counter page in the Prometheus text exposition format (version 0.0.4),
// as node_exporter's textfile collector and a scrape of chorus-web read it.
#pragma once

#include <string>

#include "audit/counters.hpp"

namespace chorus {

// One family per event kind (chorus_logins_total{result,method}, ...) and
// the store latency histogram (chorus_store_seconds). The series an alert
// rule needs exist from the start, at 0.
std::string render_counters(const CounterPage* page);  // nullptr: every counter 0

}  // namespace chorus
