// SPDX-License-Identifier: BSD-2-Clause
#include "config/yaml_fields.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "util/log.hpp"

namespace chorus::config_detail {
namespace {

// Text from the file shown back in a message: control characters escaped
// (the message may reach syslog) and long junk cut short.
std::string quoted(std::string_view s) {
    constexpr std::size_t kMax = 64;
    std::string out = "'" + escape_control(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out + "'";
}

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Null:
        return "an empty value";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Scalar:
        return n.Tag() == "!" ? "the quoted string " + quoted(n.Scalar()) : quoted(n.Scalar());
    case YAML::NodeType::Undefined:
        break;
    }
    return "nothing";
}

void reject(Diagnostics& d, const std::string& name, const YAML::Mark& at, const std::string& why) {
    d.add(at, name + ": " + why);
    d.failed(name);
}

bool is_plain_scalar(const YAML::Node& n) {
    return n.IsScalar() && n.Tag() == "?";
}

bool is_text_scalar(const YAML::Node& n) {
    return n.IsScalar() && (n.Tag() == "?" || n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str");
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// " (did you mean 'min_length'?)" for a near miss: typos are the usual cause.
std::string suggestion(std::string_view key, const std::vector<Field>& fields) {
    const Field* best = nullptr;
    std::size_t best_d = 3;
    for (const Field& f : fields) {
        std::size_t dist = edit_distance(key, f.name);
        if (dist < best_d) best = &f, best_d = dist;
    }
    return best ? " (did you mean '" + best->name + "'?)" : "";
}

}  // namespace

void Diagnostics::add(const YAML::Mark& at, std::string message) {
    problems_.push_back({at.is_null() ? -1 : at.line, at.is_null() ? -1 : at.column, std::move(message)});
}

std::string Diagnostics::joined() const {
    std::vector<Problem> sorted = problems_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Problem& a, const Problem& b) {
        auto key = [](const Problem& p) {
            return std::pair(p.line < 0 ? 1 : 0, std::pair(p.line, p.column));
        };
        return key(a) < key(b);
    });
    std::string out;
    for (const Problem& p : sorted) {
        if (!out.empty()) out += '\n';
        out += origin_;
        // YAML::Mark counts from 0; editors and compilers count from 1.
        if (p.line >= 0) out += ":" + std::to_string(p.line + 1) + ":" + std::to_string(p.column + 1);
        out += ": " + p.text;
    }
    return out;
}

bool Diagnostics::quote_left_open(const YAML::Mark& at) const {
    // Mark::pos is a byte offset into the text yaml-cpp read (the caller
    // strips a BOM first so the offsets agree).
    if (at.is_null() || at.pos < 0 || static_cast<std::size_t>(at.pos) >= text_.size()) return false;
    const char quote = text_[static_cast<std::size_t>(at.pos)];
    if (quote != '"' && quote != '\'') return false;
    for (std::size_t i = static_cast<std::size_t>(at.pos) + 1; i < text_.size() && text_[i] != '\n'; ++i) {
        if (quote == '"' && text_[i] == '\\') {
            if (i + 1 < text_.size() && text_[i + 1] == '\n') return true;  // escaped line break
            ++i;                                                            // skip the escaped character
        } else if (text_[i] == quote) {
            // In single quotes '' is an escaped quote, not the end.
            if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
                ++i;
                continue;
            }
            return false;
        }
    }
    return true;
}

YAML::Mark Diagnostics::where(const std::string& field, const std::string& fallback) const {
    if (auto it = seen_.find(field); it != seen_.end()) return it->second;
    if (auto it = seen_.find(fallback); it != seen_.end()) return it->second;
    return YAML::Mark::null_mark();
}

YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value) {
    return value.IsNull() ? key.Mark() : value.Mark();
}

void read_section(Diagnostics& d, const std::string& section, const YAML::Node& key, const YAML::Node& node,
                  const std::vector<Field>& fields) {
    if (node.IsNull()) return;
    const std::string where = section.empty() ? "at the top level" : "in section '" + section + "'";
    if (!node.IsMap()) {
        std::string what = section.empty() ? "the document" : "section '" + section + "'";
        if (d.quote_left_open(node.Mark()))
            d.add(node.Mark(), what + ": quoted string is not closed on its line (is the file truncated?)");
        else
            d.add(value_mark(key, node),
                  what + " must be a mapping of keys to values, not " + describe(node));
        d.failed(section);
        return;
    }
    std::map<std::string, YAML::Mark> first_seen;
    for (const auto& pair : node) {
        // Copies: yaml-cpp's iterator hands out a temporary proxy, so a
        // reference to it->first would dangle.
        const YAML::Node k = pair.first;
        const YAML::Node v = pair.second;
        if (!is_text_scalar(k)) {
            d.add(k.Mark(), "keys must be names, not " + describe(k) + " " + where);
            continue;
        }
        if (d.quote_left_open(k.Mark())) {
            d.add(k.Mark(), "quoted key is not closed on its line (is the file truncated?)");
            return;  // everything after it was swallowed into the key
        }
        const std::string& name = k.Scalar();
        if (auto [prev, fresh] = first_seen.emplace(name, k.Mark()); !fresh) {
            // yaml-cpp keeps both pairs; which one "wins" would be an accident.
            d.add(k.Mark(), "duplicate key " + quoted(name) + " " + where + " (first at line " +
                                std::to_string(prev->second.line + 1) + ")");
            continue;
        }
        auto f = std::find_if(fields.begin(), fields.end(), [&](const Field& x) { return x.name == name; });
        if (f == fields.end()) {
            d.add(k.Mark(), "unknown key " + quoted(name) + " " + where + suggestion(name, fields));
            continue;
        }
        std::string full = section;
        if (!full.empty()) full += '.';
        full += name;
        d.seen(full, k.Mark());
        f->read(d, full, k, v);
    }
}

std::optional<long long> read_integer(Diagnostics& d, const std::string& name, const YAML::Node& key,
                                      const YAML::Node& value, long long lo, long long hi) {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    if (!is_plain_scalar(value)) {
        reject(d, name, value_mark(key, value),
               "expected an integer in " + range + ", got " + describe(value));
        return std::nullopt;
    }
    const std::string& s = value.Scalar();
    // Plain decimal only: no "0x10", "1e3", "+5" or "010" (octal in YAML 1.1,
    // decimal in 1.2 — an admin should not have to know which).
    std::size_t digits_at = (!s.empty() && s[0] == '-') ? 1 : 0;
    bool shape_ok = s.size() > digits_at &&
                    std::all_of(s.begin() + static_cast<long>(digits_at), s.end(),
                                [](char c) { return c >= '0' && c <= '9'; }) &&
                    !(s.size() > digits_at + 1 && s[digits_at] == '0');
    long long n = 0;
    if (shape_ok) {
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc::result_out_of_range || ptr != s.data() + s.size()) {
            reject(d, name, value.Mark(), quoted(s) + " is out of range " + range);
            return std::nullopt;
        }
    } else {
        reject(d, name, value.Mark(), "expected an integer in " + range + ", got " + describe(value));
        return std::nullopt;
    }
    if (n < lo || n > hi) {
        reject(d, name, value.Mark(), s + " is out of range " + range);
        return std::nullopt;
    }
    return n;
}

std::optional<std::string> read_text(Diagnostics& d, const std::string& name, const YAML::Node& key,
                                     const YAML::Node& value, const TextCheck& check, bool allow_newline) {
    std::string s;
    if (is_text_scalar(value)) {
        if (d.quote_left_open(value.Mark())) {
            reject(d, name, value.Mark(), "quoted string is not closed on its line (is the file truncated?)");
            return std::nullopt;
        }
        s = value.Scalar();
    } else if (!value.IsNull()) {  // an empty value is the empty string
        reject(d, name, value_mark(key, value), "expected a string, got " + describe(value));
        return std::nullopt;
    }
    // Newlines or escapes in a URL, path or header value are never intended
    // and could smuggle a second line into a mail header or a log.
    if (std::any_of(s.begin(), s.end(), [allow_newline](char c) {
            return (static_cast<unsigned char>(c) < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f;
        })) {
        reject(d, name, value_mark(key, value), "control characters are not allowed");
        return std::nullopt;
    }
    if (check) {
        if (std::string why = check(s); !why.empty()) {
            reject(d, name, value_mark(key, value), why);
            return std::nullopt;
        }
    }
    return s;
}

Field bool_field(std::string key, bool* out) {
    return {std::move(key),
            [out](Diagnostics& d, const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                // Only true/false: YAML 1.1 also reads "no" and "off" as false,
                // and the Norway problem should not weaken a policy.
                if (is_plain_scalar(v) && v.Scalar() == "true") {
                    *out = true;
                } else if (is_plain_scalar(v) && v.Scalar() == "false") {
                    *out = false;
                } else {
                    reject(d, name, value_mark(k, v), "expected true or false, got " + describe(v));
                }
            }};
}

Field text_field(std::string key, std::string* out, TextCheck check) {
    return {std::move(key), [out, check = std::move(check)](Diagnostics& d, const std::string& name,
                                                            const YAML::Node& k, const YAML::Node& v) {
                if (auto s = read_text(d, name, k, v, check)) *out = std::move(*s);
            }};
}

Field multiline_text_field(std::string key, std::string* out, TextCheck check) {
    return {std::move(key), [out, check = std::move(check)](Diagnostics& d, const std::string& name,
                                                            const YAML::Node& k, const YAML::Node& v) {
                if (auto s = read_text(d, name, k, v, check, true)) *out = std::move(*s);
            }};
}

Field list_field(std::string key, std::vector<std::string>* out, TextCheck item_check) {
    return {
        std::move(key), [out, item_check = std::move(item_check)](Diagnostics& d, const std::string& name,
                                                                  const YAML::Node& k, const YAML::Node& v) {
            if (v.IsNull()) {  // "groups:" with every item commented out
                out->clear();
                return;
            }
            if (!v.IsSequence()) {
                reject(d, name, value_mark(k, v), "expected a list such as [a, b], got " + describe(v));
                return;
            }
            std::vector<std::string> items;
            bool ok = true;
            for (const YAML::Node& item : v) {
                auto s = is_text_scalar(item) ? read_text(d, name, k, item, item_check) : std::nullopt;
                if (!is_text_scalar(item))
                    reject(d, name, value_mark(k, item), "list items must be strings, got " + describe(item));
                if (s)
                    items.push_back(std::move(*s));
                else
                    ok = false;
            }
            if (ok) *out = std::move(items);
        }};
}

Field section_field(std::string key, std::vector<Field> fields) {
    return {std::move(key),
            [fields = std::move(fields)](Diagnostics& d, const std::string& name, const YAML::Node& k,
                                         const YAML::Node& v) { read_section(d, name, k, v, fields); }};
}

Field section_field(std::string key, std::vector<Field> (*make)(Config&), Config& c) {
    return {std::move(key), [make, &c](Diagnostics& d, const std::string& name, const YAML::Node& k,
                                       const YAML::Node& v) { read_section(d, name, k, v, make(c)); }};
}

std::string check_absolute_path_or_empty(std::string_view s) {
    if (s.empty() || s[0] == '/') return "";
    return "must be an absolute path (starting with '/'), got " + quoted(s);
}

std::string check_absolute_path(std::string_view s) {
    if (s.empty()) return "must not be empty";
    return check_absolute_path_or_empty(s);
}

std::string check_nonempty(std::string_view s) {
    return s.empty() ? "must not be empty" : "";
}

TextCheck check_url_or_empty(std::vector<std::string> schemes) {
    return [schemes = std::move(schemes)](std::string_view s) -> std::string {
        if (s.empty()) return "";
        auto sep = s.find("://");
        if (sep != std::string_view::npos && sep + 3 < s.size()) {
            for (const std::string& scheme : schemes)
                if (s.substr(0, sep) == scheme) return "";
        }
        std::string allowed;
        for (const std::string& scheme : schemes) allowed += (allowed.empty() ? "" : ", ") + scheme + "://";
        return "expected a URL starting with " + allowed + " (or \"\" to disable), got " + quoted(s);
    };
}

std::optional<std::int64_t> parse_utc_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
        int v = 0;
        auto [ptr, ec] = std::from_chars(s.data() + at, s.data() + at + len, v);
        if (ec != std::errc{} || ptr != s.data() + at + len || s[at] == '+' || s[at] == '-')
            return std::nullopt;
        return v;
    };
    auto y = num(0, 4), m = num(5, 2), dd = num(8, 2);
    if (!y || !m || !dd || *y < 1970) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                    std::chrono::day{static_cast<unsigned>(*dd)}};
    if (!ymd.ok()) return std::nullopt;  // 2026-02-30, month 13, ...
    return std::chrono::sys_seconds{std::chrono::sys_days{ymd}}.time_since_epoch().count();
}

}  // namespace chorus::config_detail
