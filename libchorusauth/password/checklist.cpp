// SPDX-License-Identifier: BSD-2-Clause
#include "password/checklist.hpp"

#include <algorithm>
#include <array>

#include "password/blocklist.hpp"
#include "password/utf8.hpp"

namespace chorus {
namespace {

constexpr std::size_t kMinNamePart = 3;

std::string plural(int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

int count_classes(const CodePoints& cps) {
    std::array<bool, 4> seen{};
    for (char32_t cp : cps) seen[static_cast<std::size_t>(classify(cp))] = true;
    int n = 0;
    for (bool b : seen) n += b ? 1 : 0;
    return n;
}

// Longest run of one identical code point.
std::size_t longest_repeat(const CodePoints& cps) {
    std::size_t best = 0;
    std::size_t run = 0;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        run = (i > 0 && cps[i] == cps[i - 1]) ? run + 1 : 1;
        best = std::max(best, run);
    }
    return best;
}

// Longest run of consecutive letters or digits going up or down by one
// ("abcd", "4321", "XyZ" after case folding). A step only continues a run
// when both characters are of the same kind and it goes the same direction.
std::size_t longest_sequence(const CodePoints& cps) {
    std::size_t best = cps.empty() ? 0 : 1;
    std::size_t run = 1;
    int dir = 0;
    for (std::size_t i = 1; i < cps.size(); ++i) {
        const char32_t a = to_lower(cps[i - 1]);
        const char32_t b = to_lower(cps[i]);
        const bool same_kind = (is_digit(a) && is_digit(b)) || (is_letter(a) && is_letter(b));
        int step = 0;
        if (same_kind && b == a + 1) step = 1;
        if (same_kind && a == b + 1) step = -1;
        if (step != 0 && (step == dir || run == 1)) {
            ++run;
        } else {
            run = step != 0 ? 2 : 1;
        }
        dir = step;
        best = std::max(best, run);
    }
    return best;
}

bool contains_text(const std::string& haystack, const std::string& needle) {
    return !needle.empty() && haystack.find(needle) != std::string::npos;
}

// Case-insensitive containment of any name, also after look-alike folding so
// "J4ne" still counts as containing "jane". Checks every name (no early exit).
bool contains_any_name(std::string_view candidate, const std::vector<std::string>& names) {
    std::string lower = utf8_lower(candidate);
    std::string folded = fold_lookalikes(candidate);
    bool found = false;
    for (const auto& name : names) {
        const bool hit =
            contains_text(lower, utf8_lower(name)) || contains_text(folded, fold_lookalikes(name));
        found = found || hit;
    }
    wipe_string(lower);
    wipe_string(folded);
    return found;
}

}  // namespace

std::vector<std::string> gecos_name_parts(std::string_view gecos) {
    std::string_view first = gecos.substr(0, gecos.find(','));
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < first.size()) {
        auto is_sep = [](char c) { return c == ' ' || c == '\t' || c == '-'; };
        while (i < first.size() && is_sep(first[i])) ++i;
        std::size_t start = i;
        while (i < first.size() && !is_sep(first[i])) ++i;
        std::string_view part = first.substr(start, i - start);
        if (decode_utf8(part).cps.size() >= kMinNamePart) parts.emplace_back(part);
    }
    return parts;
}

Checklist check_password(const PasswordConfig& cfg, std::string_view candidate, const PasswordSubject& who,
                         const Blocklist* blocklist) {
    Checklist list;
    const DecodedText text = decode_utf8(candidate);
    const std::size_t length = text.cps.size();
    auto add = [&list](const char* id, std::string rule_text, bool met) {
        list.rules.push_back(RuleResult{id, std::move(rule_text), met});
    };

    add("min_length", "At least " + plural(cfg.min_length, "character", "characters"),
        length >= static_cast<std::size_t>(std::max(cfg.min_length, 0)));

    if (cfg.max_length > 0)
        add("max_length", "At most " + plural(cfg.max_length, "character", "characters"),
            length <= static_cast<std::size_t>(cfg.max_length));

    if (cfg.min_classes > 0)
        add("classes",
            "At least " + std::to_string(cfg.min_classes) + " of: lowercase, uppercase, digits, symbols",
            count_classes(text.cps) >= cfg.min_classes);

    if (cfg.reject_username && !who.username.empty()) {
        std::vector<std::string> names = gecos_name_parts(who.gecos);
        names.emplace_back(who.username);
        add("no_username", "Does not contain your user name or name", !contains_any_name(candidate, names));
    }

    if (blocklist != nullptr)
        add("not_blocklisted", "Not a common or leaked password", !blocklist->contains(candidate));

    if (cfg.max_repeat > 0)
        add("max_repeat",
            "No character repeated more than " + plural(cfg.max_repeat, "time", "times") + " in a row",
            longest_repeat(text.cps) <= static_cast<std::size_t>(cfg.max_repeat));

    if (cfg.max_sequence > 0)
        add("max_sequence", "No sequences longer than " + std::to_string(cfg.max_sequence) + " (abcd, 4321)",
            longest_sequence(text.cps) <= static_cast<std::size_t>(cfg.max_sequence));

    add("valid_utf8", "Only valid UTF-8 text", text.valid);
    return list;
}

}  // namespace chorus
