// SPDX-License-Identifier: BSD-2-Clause
// Logging: syslog (LOG_AUTHPRIV, ident chorus-deliver) and the same line on
// stderr. Control characters are escaped. Nothing logged may contain the
// message body; recipients are logged masked only (mask_recipient).
#pragma once

#include <string>
#include <string_view>

namespace chorus_deliver {

void log_open(bool debug);
void log_line(int priority, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// Only with --debug.
void log_debug(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// "+6421555567" -> "+64•••••567"; "alice@example.org" -> "a•••@example.org".
std::string mask_recipient(std::string_view to);

}  // namespace chorus_deliver
