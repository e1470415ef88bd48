// SPDX-License-Identifier: BSD-2-Clause
// The push lines of a user record (format version 4, docs/STATE.md):
//
//   push.device <serial> <enrolled_at> <app key>
//   push.pending <serial> <credential sha256> <expires_at> <app key | ->
//   push.request <nonce> <serial> <created> <expires> <state> <options> <answer> <host> <rhost>
//
// Every field is one token without spaces; the checks here are the only
// definition of what a token may hold, shared by parser and encoder.
#pragma once

#include <string_view>

#include "store/store.hpp"
#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

bool parse_push_device_line(std::string_view v, UserRecord& rec);
bool parse_push_pending_line(std::string_view v, UserRecord& rec);
bool parse_push_request_line(std::string_view v, UserRecord& rec);

// invalid_argument when a push field breaks the bounds the parser enforces.
Status validate_push(const UserRecord& rec);

void put_push_lines(SecretString::Storage& out, const UserRecord& rec);

bool has_push(const UserRecord& rec);

// What a host or client name becomes in a request: letters, digits and
// ". - _ :" kept, anything else '_', at most 64 bytes, "-" when empty.
std::string push_token_text(std::string_view s);

}  // namespace chorus
