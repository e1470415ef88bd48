// SPDX-License-Identifier: BSD-2-Clause
// Internal to config/: the checks of the delivery: section's templates —
// message templates, gateway URLs with placeholders, extra gateway headers
// (docs/DELIVERY.md, "Templates" and "The HTTP gateway protocol").
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_fields.hpp"

namespace chorus::config_detail {

// A message template: text with placeholders {name} among `allowed`; a
// literal brace is written {{ or }}. Not empty, at most max_bytes bytes.
TextCheck check_template(std::vector<std::string> allowed, std::size_t max_bytes);

// delivery.sms_url, delivery.voice_url: "" or an http:// or https:// URL
// whose path and query (never the scheme, host or port) may hold the
// placeholders in `allowed`. chorus-deliver percent-encodes what it puts in.
TextCheck check_gateway_url(std::vector<std::string> allowed);

// delivery.gateway_headers: a mapping of header names (RFC 7230 tokens,
// case-insensitively unique, none of the headers chorus-deliver sets itself)
// to value templates with the placeholders in `allowed`.
Field gateway_headers_field(std::string key, std::vector<std::pair<std::string, std::string>>* out,
                            std::vector<std::string> allowed);

}  // namespace chorus::config_detail
