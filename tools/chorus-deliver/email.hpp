// SPDX-License-Identifier: BSD-2-Clause
// Email over SMTP (smtp:// with STARTTLS when offered, required when the URL
// carries credentials) or SMTPS (implicit TLS), through libcurl.
#pragma once

#include <string>
#include <string_view>

#include "deliver.hpp"

namespace chorus_deliver {

// The RFC 5322 message: Date, From, To, Subject (RFC 2047 encoded when not
// plain ASCII), Message-ID, MIME-Version, Content-Type text/plain UTF-8,
// Content-Transfer-Encoding 8bit, CRLF line ends. from/to/subject must have
// been validated (no CR/LF). Empty string when the body can't be sent as
// 8bit (a line over 998 bytes).
std::string compose_email(std::string_view from, std::string_view to, std::string_view subject,
                          std::string_view body);

Outcome send_email(const Settings& s, std::string_view to, std::string_view subject, std::string_view body,
                   const Deadline& d);

}  // namespace chorus_deliver
