// SPDX-License-Identifier: BSD-2-Clause
// The typed, validated configuration. Defaults here are the built-in
// defaults used when /etc/chorus/chorus.yaml does not exist; etc/chorus.yaml
// documents the same values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "otp/hotp.hpp"
#include "util/result.hpp"

namespace chorus {

inline constexpr const char* kDefaultConfigPath = "/etc/chorus/chorus.yaml";
inline constexpr const char* kDefaultStateDir = "/var/lib/chorus";

struct OtpConfig {
    HashAlgorithm algorithm = HashAlgorithm::sha1;
    int digits = 6;   // 6..8
    int period = 30;  // seconds, 15..300
    int window = 1;   // steps accepted either side of now, 0..10
    std::string issuer = "Chorus";
    int secret_bytes = 0;  // 0: 20 for SHA1, hash length otherwise; else 16..64

    bool operator==(const OtpConfig&) const = default;
};

struct Argon2Config {
    // OWASP's recommended argon2id setting (19 MiB, 2 passes, 1 lane): about
    // 30 ms a hash here, so checking 5 remembered passwords stays near 150 ms
    // (docs/PERFORMANCE.md). Raise it for stronger history hashes.
    std::uint32_t t_cost = 2;          // iterations, 1..100
    std::uint32_t m_cost_kib = 19456;  // memory in KiB, 8192..4194304
    std::uint32_t parallelism = 1;     // lanes, 1..16

    bool operator==(const Argon2Config&) const = default;
};

struct HistoryConfig {
    int remember = 1;               // last N passwords kept, 0..64 (0 disables)
    bool reset_allows_last = true;  // a reset may reuse the most recent password
    Argon2Config argon2;

    bool operator==(const HistoryConfig&) const = default;
};

struct PasswordConfig {
    int min_length = 8;            // code points, 1..1024
    int max_length = 16;           // code points, min_length..4096 (0 = no maximum)
    int min_classes = 3;           // of lowercase, uppercase, digits, symbols; 0..4
    bool reject_username = true;   // must not contain the user name or GECOS name parts
    int max_repeat = 0;            // longest run of one character allowed; 0 = off, else 1..1024
    int max_sequence = 0;          // longest ascending/descending run (abcd, 4321); 0 = off, else 2..1024
    std::string blocklist;         // compiled blocklist file (absolute path); empty = none
    bool enforce_for_root = true;  // root changing another user's password obeys the rules
    HistoryConfig history;

    bool operator==(const PasswordConfig&) const = default;
};

struct LockoutConfig {
    int max_failures = 5;      // failed codes before lockout, 1..1000
    int lock_seconds = 900;    // lockout length, 1..604800
    int failure_window = 900;  // failures older than this are forgotten, 1..604800

    bool operator==(const LockoutConfig&) const = default;
};

enum class EnrollPolicy { required, grace, optional, nullok };

struct EnrollmentConfig {
    EnrollPolicy policy = EnrollPolicy::required;
    int grace_days = 0;                       // with grace: days from first seen, 0..3650 (0 = unset)
    std::int64_t grace_until = 0;             // with grace: absolute deadline (epoch seconds; 0 = unset)
    std::vector<std::string> require_groups;  // empty: everyone needs MFA
    std::vector<std::string> exempt_groups;   // members may skip (never overrides never_exempt)
    std::vector<std::string> never_exempt_groups;
    int recovery_codes = 10;  // codes per set, 0..50
    std::vector<std::string> other_method_words = {"sms", "call", "sms2", "call2"};

    bool operator==(const EnrollmentConfig&) const = default;
};

struct ResetConfig {
    int code_ttl = 300;          // seconds a reset code stays valid, 60..3600
    int resend_cooldown = 30;    // seconds between sends, 0..3600
    int max_sends_per_hour = 5;  // 1..100
    int max_sends_per_day = 10;  // 1..1000
    int max_attempts = 5;        // wrong reset codes before the reset locks, 1..100
    int lock_seconds = 900;      // 1..604800

    bool operator==(const ResetConfig&) const = default;
};

enum class SmsFormat { json, form };
enum class GatewayAuth { none, basic, bearer };

// Names of the members (json) or fields (form) of an SMS gateway request.
struct SmsFields {
    std::string to = "to";
    std::string message = "message";

    bool operator==(const SmsFields&) const = default;
};

struct DeliveryConfig {
    std::string helper = "/usr/libexec/chorus/chorus-deliver";
    int timeout = 15;      // seconds, 1..300
    std::string smtp_url;  // e.g. smtp://127.0.0.1:25; empty: email disabled
    std::string email_from = "chorus@localhost";
    std::string sms_url;    // HTTP gateway; empty: SMS disabled
    std::string voice_url;  // HTTP gateway; empty: voice disabled
    // Templates around the library's own text (placeholders {message},
    // {subject} (email_subject only), {to}, {host}; docs/DELIVERY.md).
    std::string email_subject = "{subject}";       // one line, <= 256 bytes
    std::string email_body = "{message}";          // newlines allowed, <= 4096 bytes
    std::string sms_body = "{message}";            // newlines allowed, <= 4096 bytes
    std::string voice_message = "{message}";       // newlines allowed, <= 4096 bytes
    SmsFormat sms_format = SmsFormat::json;        // body of the SMS request: JSON or form-encoded
    SmsFields sms_fields;                          // [A-Za-z0-9_.-] and [] , 1..64 bytes, distinct
    GatewayAuth gateway_auth = GatewayAuth::none;  // SMS and voice requests
    std::string gateway_token_file;  // basic: "user:password", bearer: the token; absolute path,
                                     // required unless gateway_auth is none (root-owned, 0600)
    // Extra headers on every SMS and voice gateway request, in file order:
    // name (an RFC 7230 token, not one chorus-deliver sets itself) and a
    // value template ({to}, {message}, {host}). sms_url and voice_url may
    // hold the same placeholders after the host (percent-encoded when sent).
    std::vector<std::pair<std::string, std::string>> gateway_headers;
    // The command channel: for the channels listed (email, sms, voice),
    // chorus-deliver runs this program with the request on stdin instead of
    // using the network; exit 0 = delivered (voice: approved).
    std::string command;                        // absolute path; empty = none
    std::vector<std::string> command_channels;  // subset of email, sms, voice

    bool operator==(const DeliveryConfig&) const = default;
};

enum class StoreBackend { file, postgresql };

struct StoreConfig {
    StoreBackend backend = StoreBackend::file;
    std::string path = kDefaultStateDir;
    std::string conninfo;       // postgresql only: libpq connection string (no password)
    std::string seal_key_file;  // AES-256-GCM key for TOTP secrets at rest; empty = not sealed
                                // (postgresql: required, the fleet key)
    std::string plugin;         // postgresql only: the plugin .so; empty = built-in CHORUS_PLUGINDIR path

    bool operator==(const StoreConfig&) const = default;
};

// Who may still log in while the state store cannot be reached (a fleet
// database down). Empty lists and false: nobody, every login is denied.
struct FailmodeConfig {
    std::vector<std::string> allow_groups;  // members log in without a second factor
    bool allow_console = false;             // so does a login on a local console
    // fnmatch, no /dev/. Serial (ttyS*) and hypervisor (hvc*) consoles are
    // left out: on cloud machines they are reachable remotely.
    std::vector<std::string> console_ttys = {"console", "tty[0-9]*"};
    std::string break_glass_path;  // host-local file store of break-glass codes; empty = none

    bool operator==(const FailmodeConfig&) const = default;
};

// chorus-web, the portal (chorus-web(8)). Read by its privileged broker,
// which hands the HTTP process only what it needs.
struct WebConfig {
    std::string listen_address = "127.0.0.1";  // TLS ends at a reverse proxy in front
    int port = 8089;
    std::string base_url;                    // public URL of the portal; required to start it
    std::string pam_service = "chorus-web";  // checks passwords at sign-in
    std::string user = "chorus-web";         // the HTTP process runs as this account
    int session_idle = 600;                  // seconds, 60..3600
    int max_sessions = 256;                  // open sign-ins and resets at once
    int requests_per_minute = 60;            // POSTs per client address
    int account_attempts_per_hour = 20;      // sign-ins and reset starts per account name
    bool trusted_proxy = false;              // X-Forwarded-For from a loopback peer names the client
    int request_timeout = 15;                // seconds a connection may stay silent, 2..300
    bool metrics = false;                    // serve /metrics to local scrapers only (docs/OPERATIONS.md)

    bool operator==(const WebConfig&) const = default;
};

// Push approval through the privacyIDEA Authenticator app (docs/PUSH.md).
// Hosts create requests in the store and wait; chorus-web's broker answers
// the app and is the only holder of the signing key.
struct PushConfig {
    bool enabled = false;
    std::string url;                                // the push endpoint the app reaches (canonical https URL)
    std::string key_file = "/etc/chorus/push.key";  // the server's RSA key, root-only (broker)
    std::string title = "Chorus";                   // heading on the phone; no '|'
    int timeout = 60;                               // seconds a login waits for the answer, 10..300
    int enroll_minutes = 10;                        // the QR code's life (the app's ttl), 1..60
    int options = 3;                                // numbers shown on the phone, one of them right, 2..10
    int max_requests = 5;  // requests per user per window; more are refused (fatigue)
    int window = 600;      // seconds, 60..86400

    bool operator==(const PushConfig&) const = default;
};

// Audit events and the host's counters (docs/OPERATIONS.md).
struct AuditConfig {
    bool journal = true;                            // events to the journal when it runs; false: syslog lines
    std::string counters = "/run/chorus/counters";  // the counter page; empty: count nothing

    bool operator==(const AuditConfig&) const = default;
};

struct Config {
    OtpConfig otp;
    PasswordConfig password;
    LockoutConfig lockout;
    EnrollmentConfig enrollment;
    ResetConfig reset;
    DeliveryConfig delivery;
    StoreConfig store;
    FailmodeConfig failmode;
    WebConfig web;
    PushConfig push;
    AuditConfig audit;
    std::string source;  // file it came from, or "built-in defaults"

    // Member-wise, `source` included; compilers keep it complete as fields are added.
    bool operator==(const Config&) const = default;
};

struct LoadOptions {
    // When false (tests only), the file need not be owned by root; every
    // other check still applies. Privileged front ends always pass true.
    bool require_root_owner = true;
    std::size_t max_bytes = std::size_t{256} * 1024;
};

// Loads and validates path. If path is empty, the default path is used and a
// missing default file yields built-in defaults; a missing explicit file is an
// error. Errors name the file, line and column.
Result<Config> load_config(const std::string& path, const LoadOptions& opts = {});

// Parses YAML text (no file checks); `origin` names it in error messages.
// Every problem found is reported: the error message holds one
// "origin:line:column: text" line per problem, joined by '\n'.
Result<Config> parse_config(std::string_view yaml_text, const std::string& origin);

// What load_config_at does when the file (or its directory) does not exist.
enum class MissingConfig {
    use_defaults,  // the default path: no file means built-in defaults
    error,         // a path the admin named: no file is an error
};

// load_config without the default-path rule, so tests can exercise the
// "missing default file" case without touching /etc.
Result<Config> load_config_at(const std::string& path, MissingConfig missing, const LoadOptions& opts);

}  // namespace chorus
