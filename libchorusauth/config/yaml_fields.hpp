// SPDX-License-Identifier: BSD-2-Clause
// Internal to config/: strict, table-driven reading of yaml-cpp nodes into
// typed fields. yaml-cpp's own conversions are too forgiving for a security
// policy (as<bool>() takes "y", "on", "yes"; as<int>() takes " 010 " and
// quoted numbers) and its maps silently keep duplicate keys, so every scalar
// is checked here by hand and each problem is recorded with its position
// instead of stopping at the first.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace chorus {
struct Config;
struct WebConfig;
struct PushConfig;
struct AuditConfig;
}  // namespace chorus

namespace chorus::config_detail {

// Collects "origin:line:column: message" lines; nothing is thrown.
class Diagnostics {
public:
    // `text` is what yaml-cpp parsed; it must outlive the Diagnostics.
    Diagnostics(std::string origin, std::string_view text) : origin_(std::move(origin)), text_(text) {}

    void add(const YAML::Mark& at, std::string message);
    bool empty() const { return problems_.empty(); }
    // All problems in file order (position-less ones last), one per line.
    std::string joined() const;

    // Positions of the fields seen, so cross-field checks can point at them,
    // and the fields whose value was rejected, so those checks stay quiet
    // instead of reporting a consequence of an error already listed.
    void seen(const std::string& field, const YAML::Mark& at) { seen_[field] = at; }
    YAML::Mark where(const std::string& field, const std::string& fallback = {}) const;
    void failed(const std::string& field) { failed_.insert(field); }
    bool has_failed(const std::string& field) const { return failed_.contains(field); }

    // True when the quoted scalar starting at `at` is not closed on its own
    // line. yaml-cpp 0.7 accepts a quote left open until the end of the file
    // (`issuer: "abc` + newline), swallowing every later line into the
    // string, so a truncated file could load with keys silently missing.
    // Multi-line quoted strings are never needed here, so they are refused.
    bool quote_left_open(const YAML::Mark& at) const;

private:
    struct Problem {
        int line;  // 0-based as in YAML::Mark; -1 when unknown
        int column;
        std::string text;
    };
    std::string origin_;
    std::string_view text_;
    std::vector<Problem> problems_;
    std::map<std::string, YAML::Mark> seen_;
    std::set<std::string> failed_;
};

// Where a value's problem is reported: the value itself, or its key when the
// value is empty (yaml-cpp puts an empty value's mark on the next line).
YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value);

// Reads one field: `name` is the dotted path ("password.history.remember").
using Reader = std::function<void(Diagnostics&, const std::string& name, const YAML::Node& key,
                                  const YAML::Node& value)>;

struct Field {
    std::string name;  // key as written in the file
    Reader read;
};

// Returns "" when the text is acceptable, else what is wrong with it.
using TextCheck = std::function<std::string(std::string_view)>;

// Reads a mapping whose keys must be unique and among `fields`. An empty
// (null) section leaves every field at its default: that is what a sample
// with all keys of a section commented out looks like.
void read_section(Diagnostics& d, const std::string& section, const YAML::Node& key, const YAML::Node& node,
                  const std::vector<Field>& fields);

// Typed value readers for custom fields; each reports its own error and
// marks the field failed, returning nullopt.
std::optional<long long> read_integer(Diagnostics& d, const std::string& name, const YAML::Node& key,
                                      const YAML::Node& value, long long lo, long long hi);
std::optional<std::string> read_text(Diagnostics& d, const std::string& name, const YAML::Node& key,
                                     const YAML::Node& value, const TextCheck& check = {},
                                     bool allow_newline = false);

template <typename T>
Field int_field(std::string key, T* out, long long lo, long long hi) {
    return {key,
            [out, lo, hi](Diagnostics& d, const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                if (auto n = read_integer(d, name, k, v, lo, hi)) *out = static_cast<T>(*n);
            }};
}

Field bool_field(std::string key, bool* out);
Field text_field(std::string key, std::string* out, TextCheck check = {});
// As text_field, but '\n' is allowed (message bodies); other control characters are not.
Field multiline_text_field(std::string key, std::string* out, TextCheck check = {});
Field list_field(std::string key, std::vector<std::string>* out, TextCheck item_check = {});
Field section_field(std::string key, std::vector<Field> fields);
// The same, with the fields made only when the file has the section: every
// login parses the configuration, and most files name a few sections.
Field section_field(std::string key, std::vector<Field> (*make)(Config&), Config& c);

// Common checks.
std::string check_absolute_path_or_empty(std::string_view s);
std::string check_absolute_path(std::string_view s);
std::string check_nonempty(std::string_view s);
// "" or a URL whose scheme (before "://") is one of `schemes`.
TextCheck check_url_or_empty(std::vector<std::string> schemes);

// The web: section (config/web_fields.cpp).
std::vector<Field> web_fields(WebConfig& c);
// The push: section (config/web_fields.cpp).
std::vector<Field> push_fields(PushConfig& c);
// The audit: section (config/web_fields.cpp).
std::vector<Field> audit_fields(AuditConfig& c);

// Parses "YYYY-MM-DD" as UTC midnight; nullopt if not a real date in 1970..9999.
std::optional<std::int64_t> parse_utc_date(std::string_view s);

}  // namespace chorus::config_detail
