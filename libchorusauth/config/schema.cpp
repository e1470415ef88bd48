// SPDX-License-Identifier: BSD-2-Clause
// The chorus.yaml schema: which keys exist, their types and ranges (the ones
// documented in config.hpp), and the rules that involve several keys.
// parse_config reports every problem it finds, because `chorusctl
// check-config` should show an admin the whole list at once, and applies
// nothing unless the whole file is valid.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <cctype>
#include <filesystem>
#include <new>
#include <optional>
#include <utility>

#include "config/config.hpp"
#include "config/conninfo.hpp"
#include "config/delivery_checks.hpp"
#include "config/yaml_fields.hpp"
#include "util/log.hpp"

namespace chorus {
namespace {

using namespace config_detail;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool has_space(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string check_issuer(std::string_view s) {
    if (s.empty()) return "must not be empty";
    // The otpauth label is "issuer:account"; a colon here would split it wrongly.
    if (s.find(':') != std::string_view::npos) return "must not contain ':'";
    return "";
}

std::string check_group(std::string_view s) {
    if (s.empty()) return "group names must not be empty";
    if (has_space(s) || s.find_first_of(":,") != std::string_view::npos)
        return "group names must not contain spaces, ':' or ','";
    return "";
}

// A PAM_TTY pattern (fnmatch) without "/dev/": "tty[0-9]*", "console".
std::string check_tty_pattern(std::string_view s) {
    if (s.empty()) return "console tty patterns must not be empty";
    if (has_space(s) || s.find('/') != std::string_view::npos)
        return R"(console tty patterns must not contain spaces or '/' (write "tty1", not "/dev/tty1"))";
    if (s.find_first_not_of("*?") == std::string_view::npos)
        return "a console tty pattern must name a device, not match everything";
    if (s.substr(0, 3) == "pts")
        return "pseudo-terminals (pts) are not consoles: anyone logged in remotely has one";
    return "";
}

std::string check_method_word(std::string_view s) {
    // Typed at the code prompt instead of a code, so it must not look like one.
    if (s.empty() || has_space(s)) return "words must be non-empty and without spaces";
    if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return "words must not be all digits (they would look like a code)";
    return "";
}

std::string check_email(std::string_view s) {
    auto at = s.find('@');
    bool ok = at != std::string_view::npos && at > 0 && at + 1 < s.size() &&
              s.find('@', at + 1) == std::string_view::npos && !has_space(s) &&
              s.find_first_of("<>,;\"") == std::string_view::npos;
    return ok ? "" : "expected an address such as chorus@example.org";
}

// Whether two absolute paths name one directory as written ("/a//b/" and
// "/a/b" do; symbolic links are not followed: the paths may not exist yet).
bool same_lexical_path(const std::string& a, const std::string& b) {
    const auto norm = [](const std::string& p) {
        std::filesystem::path n = std::filesystem::path(p).lexically_normal();
        return n.has_filename() || n == n.root_path() ? n : n.parent_path();  // "/a/b/" -> "/a/b"
    };
    return norm(a) == norm(b);
}

// libpq would take host, dbname and user from the service file, found
// through PGSERVICEFILE, HOME or PGSYSCONFDIR: under su and sudo, the
// environment of the user logging in. The plugin refuses it too.
std::string check_conninfo(std::string_view s) {
    for (const std::string& k : conninfo_keywords(s))
        if (k == "service")
            return "must not name a service (libpq finds the service file through PGSERVICEFILE, HOME "
                   "or PGSYSCONFDIR, which the user logging in sets under su and sudo); write host, port, "
                   "dbname and user here";
    return "";
}

// A text field whose value is one of a few words, matched case-insensitively.
template <typename E>
Field enum_field(std::string key, E* out, std::vector<std::pair<const char*, E>> choices) {
    return {std::move(key), [out, choices = std::move(choices)](Diagnostics& d, const std::string& name,
                                                                const YAML::Node& k, const YAML::Node& v) {
                auto s = read_text(d, name, k, v);
                if (!s) return;
                std::string allowed;
                for (const auto& [word, value] : choices) {
                    if (lower(*s) == word) {
                        *out = value;
                        return;
                    }
                    allowed += (allowed.empty() ? "" : ", ") + std::string(word);
                }
                d.add(value_mark(k, v),
                      name + ": unknown value '" + *s + "' (expected one of " + allowed + ")");
                d.failed(name);
            }};
}

Field algorithm_field(HashAlgorithm* out) {
    return {"algorithm",
            [out](Diagnostics& d, const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                auto s = read_text(d, name, k, v);
                if (!s) return;
                if (auto a = parse_algorithm(*s)) {
                    *out = *a;
                } else {
                    d.add(value_mark(k, v),
                          name + ": unknown algorithm '" + *s + "' (expected sha1, sha256 or sha512)");
                    d.failed(name);
                }
            }};
}

Field secret_bytes_field(int* out) {
    return {"secret_bytes",
            [out](Diagnostics& d, const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                auto n = read_integer(d, name, k, v, 0, 64);
                if (!n) return;
                // Below 128 bits a TOTP key is guessable offline (RFC 4226 section 4).
                if (*n != 0 && *n < 16) {
                    d.add(v.Mark(), name + ": " + std::to_string(*n) + " is out of range (0, or 16..64)");
                    d.failed(name);
                    return;
                }
                *out = static_cast<int>(*n);
            }};
}

Field grace_until_field(std::int64_t* out) {
    return {"grace_until",
            [out](Diagnostics& d, const std::string& name, const YAML::Node& k, const YAML::Node& v) {
                auto s = read_text(d, name, k, v);
                if (!s) return;
                if (s->empty()) {  // "" or empty: no absolute deadline
                    *out = 0;
                    return;
                }
                if (auto t = parse_utc_date(*s)) {
                    *out = *t;
                } else {
                    d.add(v.Mark(), name + ": expected a date YYYY-MM-DD (1970 or later), got '" + *s + "'");
                    d.failed(name);
                }
            }};
}

std::vector<Field> otp_fields(OtpConfig& c) {
    return {algorithm_field(&c.algorithm),
            int_field("digits", &c.digits, 6, 8),
            int_field("period", &c.period, 15, 300),
            int_field("window", &c.window, 0, 10),
            text_field("issuer", &c.issuer, check_issuer),
            secret_bytes_field(&c.secret_bytes)};
}

std::vector<Field> password_fields(PasswordConfig& c) {
    Argon2Config& a = c.history.argon2;
    std::vector<Field> argon2 = {int_field("t_cost", &a.t_cost, 1, 100),
                                 int_field("m_cost_kib", &a.m_cost_kib, 8192, 4194304),
                                 int_field("parallelism", &a.parallelism, 1, 16)};
    std::vector<Field> history = {int_field("remember", &c.history.remember, 0, 64),
                                  bool_field("reset_allows_last", &c.history.reset_allows_last),
                                  section_field("argon2", std::move(argon2))};
    return {int_field("min_length", &c.min_length, 1, 1024),
            int_field("max_length", &c.max_length, 0, 4096),
            int_field("min_classes", &c.min_classes, 0, 4),
            bool_field("reject_username", &c.reject_username),
            int_field("max_repeat", &c.max_repeat, 0, 1024),
            int_field("max_sequence", &c.max_sequence, 0, 1024),
            text_field("blocklist", &c.blocklist, check_absolute_path_or_empty),
            bool_field("enforce_for_root", &c.enforce_for_root),
            section_field("history", std::move(history))};
}

std::vector<Field> lockout_fields(LockoutConfig& c) {
    return {int_field("max_failures", &c.max_failures, 1, 1000),
            int_field("lock_seconds", &c.lock_seconds, 1, 604800),
            int_field("failure_window", &c.failure_window, 1, 604800)};
}

std::vector<Field> enrollment_fields(EnrollmentConfig& c) {
    return {enum_field<EnrollPolicy>("policy", &c.policy,
                                     {{"required", EnrollPolicy::required},
                                      {"grace", EnrollPolicy::grace},
                                      {"optional", EnrollPolicy::optional},
                                      {"nullok", EnrollPolicy::nullok}}),
            int_field("grace_days", &c.grace_days, 0, 3650),
            grace_until_field(&c.grace_until),
            list_field("require_groups", &c.require_groups, check_group),
            list_field("exempt_groups", &c.exempt_groups, check_group),
            list_field("never_exempt_groups", &c.never_exempt_groups, check_group),
            int_field("recovery_codes", &c.recovery_codes, 0, 50),
            list_field("other_method_words", &c.other_method_words, check_method_word)};
}

std::vector<Field> reset_fields(ResetConfig& c) {
    return {int_field("code_ttl", &c.code_ttl, 60, 3600),
            int_field("resend_cooldown", &c.resend_cooldown, 0, 3600),
            int_field("max_sends_per_hour", &c.max_sends_per_hour, 1, 100),
            int_field("max_sends_per_day", &c.max_sends_per_day, 1, 1000),
            int_field("max_attempts", &c.max_attempts, 1, 100),
            int_field("lock_seconds", &c.lock_seconds, 1, 604800)};
}

std::string check_field_name(std::string_view s) {
    if (s.empty() || s.size() > 64) return "must be 1..64 characters";
    bool ok = std::all_of(s.begin(), s.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_' || ch == '.' || ch == '-' || ch == '[' || ch == ']';
    });
    return ok ? "" : "only letters, digits and _ . - [ ] are allowed";
}

std::string check_channel_name(std::string_view s) {
    return s == "email" || s == "sms" || s == "voice" ? "" : "channels are email, sms and voice";
}

std::vector<Field> delivery_fields(DeliveryConfig& c) {
    return {
        text_field("helper", &c.helper, check_absolute_path),
        int_field("timeout", &c.timeout, 1, 300),
        text_field("smtp_url", &c.smtp_url, check_url_or_empty({"smtp", "smtps"})),
        text_field("email_from", &c.email_from, check_email),
        text_field("sms_url", &c.sms_url, check_gateway_url({"to", "message", "host"})),
        text_field("voice_url", &c.voice_url, check_gateway_url({"to", "message", "host"})),
        text_field("email_subject", &c.email_subject, check_template({"subject", "to", "host"}, 256)),
        multiline_text_field("email_body", &c.email_body, check_template({"message", "to", "host"}, 4096)),
        multiline_text_field("sms_body", &c.sms_body, check_template({"message", "to", "host"}, 4096)),
        multiline_text_field("voice_message", &c.voice_message,
                             check_template({"message", "to", "host"}, 4096)),
        enum_field<SmsFormat>("sms_format", &c.sms_format,
                              {{"json", SmsFormat::json}, {"form", SmsFormat::form}}),
        section_field("sms_fields", {text_field("to", &c.sms_fields.to, check_field_name),
                                     text_field("message", &c.sms_fields.message, check_field_name)}),
        enum_field<GatewayAuth>(
            "gateway_auth", &c.gateway_auth,
            {{"none", GatewayAuth::none}, {"basic", GatewayAuth::basic}, {"bearer", GatewayAuth::bearer}}),
        text_field("gateway_token_file", &c.gateway_token_file, check_absolute_path_or_empty),
        gateway_headers_field("gateway_headers", &c.gateway_headers, {"to", "message", "host"}),
        text_field("command", &c.command, check_absolute_path_or_empty),
        list_field("command_channels", &c.command_channels, check_channel_name)};
}

std::vector<Field> store_fields(StoreConfig& c) {
    return {
        enum_field<StoreBackend>("backend", &c.backend,
                                 {{"file", StoreBackend::file}, {"postgresql", StoreBackend::postgresql}}),
        text_field("path", &c.path, check_absolute_path), text_field("conninfo", &c.conninfo, check_conninfo),
        text_field("seal_key_file", &c.seal_key_file, check_absolute_path_or_empty),
        text_field("plugin", &c.plugin, check_absolute_path_or_empty)};
}

std::vector<Field> failmode_fields(FailmodeConfig& c) {
    return {list_field("allow_groups", &c.allow_groups, check_group),
            bool_field("allow_console", &c.allow_console),
            list_field("console_ttys", &c.console_ttys, check_tty_pattern),
            text_field("break_glass_path", &c.break_glass_path, check_absolute_path_or_empty)};
}

std::vector<Field> top_level_fields(Config& c) {
    return {section_field(
                "otp", [](Config& x) { return otp_fields(x.otp); }, c),
            section_field(
                "password", [](Config& x) { return password_fields(x.password); }, c),
            section_field(
                "lockout", [](Config& x) { return lockout_fields(x.lockout); }, c),
            section_field(
                "enrollment", [](Config& x) { return enrollment_fields(x.enrollment); }, c),
            section_field(
                "reset", [](Config& x) { return reset_fields(x.reset); }, c),
            section_field(
                "delivery", [](Config& x) { return delivery_fields(x.delivery); }, c),
            section_field(
                "store", [](Config& x) { return store_fields(x.store); }, c),
            section_field(
                "failmode", [](Config& x) { return failmode_fields(x.failmode); }, c),
            section_field(
                "web", [](Config& x) { return web_fields(x.web); }, c),
            section_field(
                "push", [](Config& x) { return push_fields(x.push); }, c),
            section_field(
                "audit", [](Config& x) { return audit_fields(x.audit); }, c)};
}

// Rules over several keys. Each is skipped when one of its keys was already
// rejected, so one typo does not produce a second, derived complaint.
void check_cross_field(Diagnostics& d, const Config& c) {
    auto any_failed = [&](std::initializer_list<const char*> names) {
        return std::any_of(names.begin(), names.end(), [&](const char* n) { return d.has_failed(n); });
    };
    const PasswordConfig& p = c.password;
    if (!any_failed({"password", "password.min_length", "password.max_length"}) && p.max_length != 0 &&
        p.max_length < p.min_length)
        d.add(d.where("password.max_length", "password"),
              "password.max_length: " + std::to_string(p.max_length) + " is below password.min_length " +
                  std::to_string(p.min_length) + " (use 0 for no maximum)");
    if (!any_failed({"password", "password.max_sequence"}) && p.max_sequence == 1)
        d.add(d.where("password.max_sequence"),
              "password.max_sequence: 1 would forbid every password (0 = off, else 2..1024)");

    const EnrollmentConfig& e = c.enrollment;
    if (!any_failed({"enrollment", "enrollment.policy", "enrollment.grace_days", "enrollment.grace_until"}) &&
        e.policy == EnrollPolicy::grace && e.grace_days == 0 && e.grace_until == 0)
        d.add(d.where("enrollment.policy", "enrollment"),
              "enrollment.policy: grace needs enrollment.grace_days or enrollment.grace_until");

    const auto& words = e.other_method_words;
    if (!any_failed({"enrollment", "enrollment.other_method_words"}) &&
        (words.size() > 4 || std::set<std::string>(words.begin(), words.end()).size() != words.size()))
        d.add(d.where("enrollment.other_method_words", "enrollment"),
              "enrollment.other_method_words: at most 4 different words (sms, call, then the same "
              "for the alternate phone)");

    const ResetConfig& r = c.reset;
    if (!any_failed({"reset", "reset.max_sends_per_hour", "reset.max_sends_per_day"}) &&
        r.max_sends_per_day < r.max_sends_per_hour)
        d.add(d.where("reset.max_sends_per_day", "reset"),
              "reset.max_sends_per_day: " + std::to_string(r.max_sends_per_day) +
                  " is below reset.max_sends_per_hour " + std::to_string(r.max_sends_per_hour));

    const DeliveryConfig& dc = c.delivery;
    if (!any_failed(
            {"delivery", "delivery.sms_fields", "delivery.sms_fields.to", "delivery.sms_fields.message"}) &&
        dc.sms_fields.to == dc.sms_fields.message)
        d.add(d.where("delivery.sms_fields.message", "delivery.sms_fields"),
              "delivery.sms_fields: to and message must be different names");
    if (!any_failed({"delivery", "delivery.command", "delivery.command_channels"}) &&
        !dc.command_channels.empty() && dc.command.empty())
        d.add(d.where("delivery.command_channels", "delivery"),
              "delivery.command_channels: needs delivery.command");
    if (!any_failed({"delivery", "delivery.gateway_auth", "delivery.gateway_token_file"}) &&
        dc.gateway_auth != GatewayAuth::none && dc.gateway_token_file.empty())
        d.add(d.where("delivery.gateway_auth", "delivery"),
              "delivery.gateway_auth: basic and bearer need delivery.gateway_token_file");

    const StoreConfig& s = c.store;
    if (!any_failed({"store", "store.backend", "store.conninfo"}) && s.backend == StoreBackend::postgresql &&
        s.conninfo.empty())
        d.add(d.where("store.backend", "store"), "store.backend: postgresql needs store.conninfo");
    // The fleet key: without it a dump of the database would hold usable TOTP keys.
    if (!any_failed({"store", "store.backend", "store.seal_key_file"}) &&
        s.backend == StoreBackend::postgresql && s.seal_key_file.empty())
        d.add(d.where("store.backend", "store"),
              "store.backend: postgresql needs store.seal_key_file (the fleet key, `openssl rand -hex 32`)");

    // Push needs the URL the app reaches; without it no QR code can be made.
    if (!any_failed({"push", "push.enabled", "push.url"}) && c.push.enabled && c.push.url.empty())
        d.add(d.where("push.enabled", "push"),
              "push.enabled: true needs push.url (the app's https endpoint)");

    // The file store is never "unreachable": a failmode for it would be a
    // setting that silently does nothing, or an opening on a disk error.
    const FailmodeConfig& f = c.failmode;
    const bool failmode_set = !f.allow_groups.empty() || f.allow_console || !f.break_glass_path.empty();
    if (!any_failed({"store", "store.backend", "failmode"}) && failmode_set &&
        s.backend != StoreBackend::postgresql)
        d.add(d.where("failmode"),
              "failmode: applies only to store.backend: postgresql (the file store is local)");
    // An old file store there would turn its users' old recovery codes into
    // break-glass codes.
    if (!any_failed({"store", "store.path", "failmode", "failmode.break_glass_path"}) &&
        !f.break_glass_path.empty() && same_lexical_path(f.break_glass_path, s.path))
        d.add(d.where("failmode.break_glass_path", "failmode"),
              "failmode.break_glass_path: must be a directory of its own, not store.path (" + s.path + ")");
}

// Checks yaml-cpp handles badly: a tab in indentation (YAML forbids it, and
// yaml-cpp's message for it points elsewhere) and NUL bytes.
// A document marker ("---" or "...") alone or followed by a space.
bool is_marker(std::string_view l, std::string_view m) {
    return l.substr(0, 3) == m && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
}

void check_raw_text(Diagnostics& d, std::string_view text) {
    int line = 0;
    std::size_t start = 0;
    bool content = false;  // a line of the first document was seen
    bool ended = false;    // "..." closed it
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view l = text.substr(start, end - start);
        YAML::Mark at;
        at.line = line;
        if (auto nul = l.find('\0'); nul != std::string_view::npos) {
            at.column = static_cast<int>(nul);
            d.add(at, "NUL byte in configuration text");
        }
        // A second document is refused here, before yaml-cpp: its LoadAll()
        // can loop forever on malformed input, so only Load() is used.
        if (is_marker(l, "---") && (content || ended)) {
            at.column = 0;
            d.add(at, "more than one YAML document ('---'); only one is allowed");
        } else if (is_marker(l, "...")) {
            ended = true;
        } else if (ended && l.find_first_not_of(" \t\r") != std::string_view::npos &&
                   l[l.find_first_not_of(" \t\r")] != '#') {
            at.column = 0;
            d.add(at, "text after the end of the document ('...')");
            ended = false;  // one complaint is enough
            content = true;
        }
        if (!is_marker(l, "---") && (l.empty() || l[0] != '%')) {
            std::size_t first = l.find_first_not_of(" \t\r");
            if (first != std::string_view::npos && l[first] != '#') content = true;
        }
        std::size_t indent_end = l.find_first_not_of(" \t");
        if (indent_end != std::string_view::npos && l[indent_end] != '#' && l[indent_end] != '\r') {
            if (auto tab = l.substr(0, indent_end).find('\t'); tab != std::string_view::npos) {
                at.column = static_cast<int>(tab);
                d.add(at, "tab character in indentation (YAML allows only spaces)");
            }
        }
        start = end + 1;
        ++line;
    }
}

// The first line that holds content (not blank, a comment, a directive or
// a document marker): its number and its text without surrounding spaces.
std::optional<std::pair<int, std::string_view>> first_content_line(std::string_view text) {
    int line = 0;
    for (std::size_t start = 0; start <= text.size(); ++line) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view l = text.substr(start, end - start);
        start = end + 1;
        const std::size_t a = l.find_first_not_of(" \t\r");
        if (a == std::string_view::npos || l[a] == '#' || (a == 0 && l[0] == '%') || is_marker(l, "---") ||
            is_marker(l, "..."))
            continue;
        const std::size_t b = l.find_last_not_of(" \t\r");
        return std::make_pair(line, l.substr(a, b - a + 1));
    }
    return std::nullopt;
}

}  // namespace

Result<Config> parse_config(std::string_view yaml_text, const std::string& origin) {
    // yaml-cpp skips a UTF-8 byte order mark but then counts Mark::pos from
    // after it; strip it here so positions index yaml_text.
    constexpr std::string_view kBom = "\xef\xbb\xbf";
    if (yaml_text.substr(0, kBom.size()) == kBom) yaml_text.remove_prefix(kBom.size());
    Diagnostics d(origin, yaml_text);
    check_raw_text(d, yaml_text);
    if (!d.empty()) return make_error(Errc::config, d.joined());

    Config cfg;
    try {
        // Load(), not LoadAll(): the latter can loop forever on malformed
        // input (yaml-cpp 0.7); a second document is refused by check_raw_text.
        YAML::Node doc = YAML::Load(std::string(yaml_text));
        if (doc.IsDefined() && !doc.IsNull()) {
            read_section(d, "", YAML::Node(), doc, top_level_fields(cfg));
            check_cross_field(d, cfg);
        } else if (auto first = first_content_line(yaml_text);
                   first && first->second != "~" && first->second != "null" && first->second != "Null" &&
                   first->second != "NULL") {
            // yaml-cpp reads some malformed text (e.g. a leading ',') as an
            // empty document instead of failing: that must not mean "defaults".
            YAML::Mark at;
            at.line = first->first;
            at.column = 0;
            d.add(at, "not a YAML mapping of sections; the file could not be read");
        }
    } catch (const YAML::Exception& e) {
        d.add(e.mark, "YAML syntax error: " + escape_control(e.msg));  // yaml-cpp quotes the file's bytes
    } catch (const std::bad_alloc&) {
        return make_error(Errc::no_memory, origin + ": out of memory while parsing");
    }
    if (!d.empty()) return make_error(Errc::config, d.joined());
    cfg.source = origin;
    return cfg;
}

}  // namespace chorus
