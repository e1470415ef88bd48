// SPDX-License-Identifier: BSD-2-Clause
// The delivery settings arrive in the request's header lines, written by
// the library from the configuration it validated (docs/DELIVERY.md,
// "Request"): the helper reads no configuration file and keeps no defaults
// of its own. Every single-valued key must be given exactly once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "deliver.hpp"

namespace chorus_deliver {

class SettingsReader {
public:
    explicit SettingsReader(Settings& out) : out_(out) {}
    // One header line's key and (escaped) value. known is false for a key
    // that is not a setting; otherwise the outcome says whether it was valid.
    Outcome add(std::string_view key, std::string_view escaped, bool& known);
    // After the last line: every key given, values in range.
    Outcome finish();

private:
    Settings& out_;
    std::vector<std::string> seen_;
};

// Reads delivery.gateway_token_file into out.gateway_secret when
// gateway_auth needs it: with the caller's privileges (before they are
// dropped), from a regular file that only its owner (root, or the caller)
// may read or write.
Outcome read_gateway_secret(Settings& out);

}  // namespace chorus_deliver
