// SPDX-License-Identifier: BSD-2-Clause
#include "common/args.hpp"

#include "common/text.hpp"

namespace chorus_tools {

bool ParsedArgs::has(std::string_view name) const {
    return last(name) != nullptr;
}

const ParsedOpt* ParsedArgs::last(std::string_view name) const {
    const ParsedOpt* found = nullptr;
    for (const auto& o : opts)
        if (o.name == name) found = &o;
    return found;
}

ParsedArgs parse_args(int argc, char** argv, int first, const std::vector<OptSpec>& specs,
                      bool stop_at_operand) {
    ParsedArgs r;
    bool only_operands = false;
    for (int i = first; i < argc; ++i) {
        std::string_view a = argv[i];
        if (only_operands || a == "-" || a.empty() || a[0] != '-') {
            r.operands.push_back(a);
            if (stop_at_operand) only_operands = true;
            continue;
        }
        if (a == "--") {
            only_operands = true;
            continue;
        }
        if (a == "-h") a = "--help";
        if (a.substr(0, 2) != "--") {
            r.error = "unknown option " + escape_text(a);
            return r;
        }
        std::string_view body = a.substr(2);
        std::optional<std::string_view> value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            value = body.substr(eq + 1);
            body = body.substr(0, eq);
        }
        const OptSpec* spec = nullptr;
        for (const auto& s : specs)
            if (body == s.name) spec = &s;
        if (spec == nullptr) {
            r.error = "unknown option --" + escape_text(body);
            return r;
        }
        int index = i;
        if (spec->kind == ArgKind::flag && value) {
            r.error = "option --" + std::string(spec->name) + " takes no value";
            return r;
        }
        if (spec->kind == ArgKind::required && !value) {
            if (i + 1 >= argc) {
                r.error = "option --" + std::string(spec->name) + " needs a value";
                return r;
            }
            value = argv[++i];
            index = i;
        }
        r.opts.push_back(ParsedOpt{spec->name, value, index});
    }
    return r;
}

}  // namespace chorus_tools
