// SPDX-License-Identifier: BSD-2-Clause
// The request the library writes on stdin (flows/deliver.hpp): header lines
// in any order, a blank line, the body.
//   channel: sms|email|voice
//   to: <E.164 number or address>
//   subject: <text>
//   the delivery settings (settings.hpp), each key once
//   <blank line>
//   <body>
// At most kMaxRequest bytes. Every field is validated before anything is sent.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/secret.hpp"
#include "deliver.hpp"

namespace chorus_deliver {

inline constexpr std::size_t kMaxRequest = 64 * 1024;
inline constexpr std::size_t kMaxSubject = 256;

struct Request {
    Settings settings;
    Channel channel = Channel::sms;
    std::string to;
    std::string subject;
    // The raw request (wiped on destruction) and the body inside it.
    std::unique_ptr<chorus_tools::SecretBuffer> raw;
    std::string_view body;

    // The request without the settings, as delivery.command receives it.
    std::string plain() const;
};

// Reads all of fd (at most kMaxRequest bytes) and validates it. On failure
// the outcome is kBadRequest and nothing of the body is in the reason.
Outcome read_request(int fd, Request& out);
Outcome parse_request(std::unique_ptr<chorus_tools::SecretBuffer> raw, Request& out);

// Validators, exposed for the email composer and the tests.
bool is_e164(std::string_view s);
bool is_email_address(std::string_view s);
// Valid UTF-8 without C0/C1 controls or DEL; newline and tab allowed when
// multiline is true.
bool is_clean_text(std::string_view s, bool multiline);

}  // namespace chorus_deliver
