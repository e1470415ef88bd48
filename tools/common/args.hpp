// SPDX-License-Identifier: BSD-2-Clause
// A small, allocation-light command-line parser shared by the tools: long
// options only (plus -h), "--name value" or "--name=value", "--" ends options,
// options and operands may be mixed. No global state, unlike getopt(3).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus_tools {

enum class ArgKind {
    flag,      // --name
    required,  // --name VALUE or --name=VALUE
    optional,  // --name or --name=VALUE (never takes the next word)
};

struct OptSpec {
    const char* name;  // without the leading "--"
    ArgKind kind;
};

struct ParsedOpt {
    std::string name;
    std::optional<std::string_view> value;
    int argv_index;  // where the value came from (for wiping a secret from argv)
};

struct ParsedArgs {
    std::vector<ParsedOpt> opts;
    std::vector<std::string_view> operands;
    std::string error;  // non-empty when parsing failed

    [[nodiscard]] bool has(std::string_view name) const;
    // The last value given for name (later options win).
    [[nodiscard]] const ParsedOpt* last(std::string_view name) const;
};

// Parses argv[first..argc). "-h" is taken as "--help" when a "help" flag is
// in specs. When stop_at_operand is true, parsing stops at the first operand
// and the remaining words are all operands (for "tool [global] CMD ...").
ParsedArgs parse_args(int argc, char** argv, int first, const std::vector<OptSpec>& specs,
                      bool stop_at_operand = false);

}  // namespace chorus_tools
