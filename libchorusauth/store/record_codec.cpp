// SPDX-License-Identifier: BSD-2-Clause
#include "store/record_codec.hpp"

#include "store/record_push.hpp"
#include "store/record_text.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace chorus {
namespace {

// Version 2 added proven contacts and the alternate phone. A record that
// uses neither is still written as version 1, so hosts one release behind
// keep reading it; one that does is refused by them (an unknown version is
// corrupt: their logins deny, they never guess).
//
// Version 3 added several authenticator apps: the first app's name
// (totp.name) and one "app" line per further app.
//
// Version 4 added push approval (store/record_push.hpp).
constexpr std::string_view kHeaderV1 = "chorus-user 1";
constexpr std::string_view kHeaderV2 = "chorus-user 2";
constexpr std::string_view kHeaderV3 = "chorus-user 3";
constexpr std::string_view kHeaderV4 = "chorus-user 4";
constexpr std::string_view kHeaderPrefix = "chorus-user ";
constexpr std::string_view kSumPrefix = "sha256 ";
constexpr std::size_t kSumHexLen = 64;

// Bounds: generous for real use, small enough that a hostile or broken file
// can't make a login process allocate without limit.
constexpr std::size_t kMaxSecretBytes = 256;
constexpr std::size_t kMaxRecovery = 100;
constexpr std::size_t kMaxHistory = 100;
constexpr std::size_t kMaxSends = 1000;
constexpr std::size_t kMaxHashLen = 512;
constexpr std::size_t kMaxHistoryLen = 1024;

enum Key : std::size_t {
    k_totp_secret,
    k_totp_sealed,
    k_totp_algorithm,
    k_totp_digits,
    k_totp_period,
    k_totp_window,
    k_recovery,
    k_phone,
    k_email,
    k_default_method,
    k_history,
    k_reset_code_hash,
    k_reset_id,
    k_reset_expires_at,
    k_reset_last_sent_at,
    k_reset_attempts,
    k_reset_send,
    k_reset_locked_until,
    k_first_seen,
    k_enrolled_at,
    k_first_v2,  // keys from here on exist only in version 2
    k_phone_proven_at = k_first_v2,
    k_email_proven_at,
    k_phone2,
    k_phone2_proven_at,
    k_first_v3,  // keys from here on exist only in version 3
    k_totp_name = k_first_v3,
    k_app,
    k_first_v4,  // keys from here on exist only in version 4
    k_push_device = k_first_v4,
    k_push_pending,
    k_push_request,
    k_count
};

constexpr std::array<std::string_view, k_count> kKeyNames = {
    "totp.secret",
    "totp.sealed",
    "totp.algorithm",
    "totp.digits",
    "totp.period",
    "totp.window",
    "recovery",
    "phone",
    "email",
    "default_method",
    "history",
    "reset.code_hash",
    "reset.id",
    "reset.expires_at",
    "reset.last_sent_at",
    "reset.attempts",
    "reset.send",
    "reset.locked_until",
    "first_seen",
    "enrolled_at",
    "phone.proven_at",
    "email.proven_at",
    "phone2",
    "phone2.proven_at",
    "totp.name",
    "app",
    "push.device",
    "push.pending",
    "push.request",
};

bool repeatable(std::size_t k) {
    return k == k_recovery || k == k_history || k == k_reset_send || k == k_app || k == k_push_device ||
           k == k_push_request;
}

// The algorithm names live here rather than in otp/: the file format must not
// change because a display name does.
constexpr std::array<std::pair<std::string_view, HashAlgorithm>, 3> kAlgorithms = {
    {{"SHA1", HashAlgorithm::sha1}, {"SHA256", HashAlgorithm::sha256}, {"SHA512", HashAlgorithm::sha512}}};

std::string_view algorithm_token(HashAlgorithm a) {
    for (const auto& [name, alg] : kAlgorithms)
        if (alg == a) return name;
    return {};
}

// An app's name: printable, no control character, not empty, no space at
// either end (so the name is what the user sees), at most kMaxAppNameBytes.
bool app_name_ok(std::string_view n) {
    return !n.empty() && n.size() <= kMaxAppNameBytes && !has_control(n) && n.front() != ' ' &&
           n.back() != ' ';
}

// "app <secret|sealed> <hex> <ALGORITHM> <digits> <period> <window> <last_step> <name>":
// one line per further app, its name last so that it may hold spaces.
bool parse_app_line(std::string_view v, UserRecord& rec) {
    std::string_view field[7];
    for (auto& f : field) {
        const std::size_t sp = v.find(' ');
        if (sp == std::string_view::npos) return false;
        f = v.substr(0, sp);
        v.remove_prefix(sp + 1);
    }
    AppKey app;
    app.name = std::string(v);
    if (field[0] == "sealed")
        app.key.sealed = true;
    else if (field[0] != "secret")
        return false;
    bool alg_ok = false;
    for (const auto& [name, alg] : kAlgorithms)
        if (field[2] == name) {
            app.key.params.algorithm = alg;
            alg_ok = true;
        }
    std::int64_t step = 0;
    if (!alg_ok || !parse_hex_secret(field[1], kMaxSecretBytes, app.key.secret) ||
        !parse_bounded(field[3], 6, 8, app.key.params.digits) ||
        !parse_bounded(field[4], 1, 86400, app.key.params.period) ||
        !parse_bounded(field[5], -1, 1000, app.key.window) || !parse_i64(field[6], step) || step < 0 ||
        !app_name_ok(app.name) || rec.more_apps.size() + 1 >= kMaxApps)
        return false;
    app.last_step = static_cast<std::uint64_t>(step);
    rec.more_apps.push_back(std::move(app));
    return true;
}

void put_app(SecretString::Storage& out, const AppKey& a) {
    static constexpr char kHex[] = "0123456789abcdef";
    const std::string_view key = kKeyNames[k_app];
    out.append(key.data(), key.size());
    out.append(a.key.sealed ? " sealed " : " secret ");
    for (std::uint8_t b : a.key.secret) {
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xf]);
    }
    const std::string rest = " " + std::string(algorithm_token(a.key.params.algorithm)) + " " +
                             std::to_string(a.key.params.digits) + " " + std::to_string(a.key.params.period) +
                             " " + std::to_string(a.key.window) + " " + std::to_string(a.last_step) + " ";
    out.append(rest.data(), rest.size());
    out.append(a.name.data(), a.name.size());
    out.push_back('\n');
}

Error corrupt(std::string msg) {
    return make_error(Errc::corrupt, "user record: " + std::move(msg));
}

// Applies one "key value" line to rec. Returns false for a bad value.
bool apply(std::size_t key, std::string_view v, UserRecord& rec) {
    std::int64_t n = 0;
    auto& reset = rec.reset;
    switch (key) {
    case k_totp_secret:
        return parse_hex_secret(v, kMaxSecretBytes, rec.totp->secret);
    case k_totp_sealed:
        rec.totp->sealed = true;
        return parse_hex_secret(v, kMaxSecretBytes, rec.totp->secret);
    case k_totp_algorithm:
        for (const auto& [name, alg] : kAlgorithms)
            if (v == name) {
                rec.totp->params.algorithm = alg;
                return true;
            }
        return false;
    case k_totp_digits:
        return parse_bounded(v, 6, 8, rec.totp->params.digits);
    case k_totp_period:
        return parse_bounded(v, 1, 86400, rec.totp->params.period);
    case k_totp_window:
        return parse_bounded(v, -1, 1000, rec.totp->window);
    case k_recovery:
        if (rec.recovery.size() >= kMaxRecovery) return false;
        rec.recovery.push_back(HashedCode{std::string(v)});
        return true;
    // Empty phone/email are written as no line at all; one spelling only.
    case k_phone:
        rec.phone = v;
        return !v.empty();
    case k_email:
        rec.email = v;
        return !v.empty();
    case k_default_method:
        rec.default_method = v;
        return true;
    case k_history:
        if (rec.history.size() >= kMaxHistory) return false;
        rec.history.emplace_back(v);
        return true;
    case k_reset_code_hash:
        reset->code_hash = v;
        return true;
    case k_reset_id:
        reset->reset_id = v;
        return true;
    case k_reset_expires_at:
        return parse_i64(v, reset->expires_at);
    case k_reset_last_sent_at:
        return parse_i64(v, reset->last_sent_at);
    case k_reset_attempts:
        return parse_bounded(v, 0, 1000000, reset->attempts);
    case k_reset_send:
        if (reset->sends.size() >= kMaxSends || !parse_i64(v, n)) return false;
        reset->sends.push_back(n);
        return true;
    case k_reset_locked_until:
        return parse_i64(v, reset->locked_until);
    case k_first_seen:
        return parse_i64(v, rec.first_seen);
    case k_enrolled_at:
        return parse_i64(v, rec.enrolled_at);
    // Written only when proven: a time after the epoch, one spelling.
    case k_phone_proven_at:
        return parse_i64(v, rec.phone_proven_at) && rec.phone_proven_at > 0;
    case k_email_proven_at:
        return parse_i64(v, rec.email_proven_at) && rec.email_proven_at > 0;
    case k_phone2:
        rec.phone2 = v;
        return !v.empty();
    case k_phone2_proven_at:
        return parse_i64(v, rec.phone2_proven_at) && rec.phone2_proven_at > 0;
    case k_totp_name:
        rec.totp_name = v;
        return app_name_ok(v);
    case k_app:
        return parse_app_line(v, rec);
    case k_push_device:
        return parse_push_device_line(v, rec);
    case k_push_pending:
        return parse_push_pending_line(v, rec);
    case k_push_request:
        return parse_push_request_line(v, rec);
    default:
        return false;
    }
}

Status validate_key(const TotpKey& t) {
    if (t.secret.empty() || t.secret.size() > kMaxSecretBytes)
        return make_error(Errc::invalid_argument, "TOTP key must be 1 to 256 bytes");
    if (algorithm_token(t.params.algorithm).empty())
        return make_error(Errc::invalid_argument, "unknown TOTP algorithm");
    if (t.params.digits < 6 || t.params.digits > 8)
        return make_error(Errc::invalid_argument, "TOTP digits must be 6 to 8");
    if (t.params.period < 1 || t.params.period > 86400)
        return make_error(Errc::invalid_argument, "TOTP period out of range");
    if (t.window < -1 || t.window > 1000)
        return make_error(Errc::invalid_argument, "TOTP window out of range");
    return ok_status();
}

// The lowest version that holds rec.
int version_of(const UserRecord& rec) {
    if (has_push(rec)) return 4;
    if (!rec.totp_name.empty() || !rec.more_apps.empty()) return 3;
    if (!rec.phone2.empty() || rec.phone_proven_at > 0 || rec.email_proven_at > 0) return 2;
    return 1;
}

}  // namespace

Status validate_record(const UserRecord& rec) {
    if (rec.totp) CHORUS_RETURN_IF_ERROR(validate_key(*rec.totp));
    if (!rec.totp_name.empty() && !app_name_ok(rec.totp_name))
        return make_error(Errc::invalid_argument, "bad authenticator app name");
    if ((!rec.more_apps.empty() || !rec.totp_name.empty()) && !rec.totp)
        return make_error(Errc::invalid_argument,
                          "authenticator app names or further apps without a first app");
    if (rec.app_count() > kMaxApps) return make_error(Errc::invalid_argument, "too many authenticator apps");
    for (const AppKey& a : rec.more_apps) {
        CHORUS_RETURN_IF_ERROR(validate_key(a.key));
        if (!app_name_ok(a.name)) return make_error(Errc::invalid_argument, "bad authenticator app name");
        if (a.last_step > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return make_error(Errc::invalid_argument, "app step out of range");
    }
    CHORUS_RETURN_IF_ERROR(validate_push(rec));
    if (rec.recovery.size() > kMaxRecovery)
        return make_error(Errc::invalid_argument, "too many recovery codes");
    for (const auto& c : rec.recovery)
        CHORUS_RETURN_IF_ERROR(check_text("recovery hash", c.hash, kMaxHashLen, false));
    CHORUS_RETURN_IF_ERROR(check_text("phone", rec.phone, 64, true));
    CHORUS_RETURN_IF_ERROR(check_text("email", rec.email, 320, true));
    CHORUS_RETURN_IF_ERROR(check_text("alternate phone", rec.phone2, 64, true));
    // A proof belongs to a contact: none without one, none before the epoch.
    const std::pair<const std::string*, std::int64_t> proofs[] = {{&rec.phone, rec.phone_proven_at},
                                                                  {&rec.email, rec.email_proven_at},
                                                                  {&rec.phone2, rec.phone2_proven_at}};
    for (const auto& [contact, at] : proofs)
        if (at < 0 || (at > 0 && contact->empty()))
            return make_error(Errc::invalid_argument, "a proof time without its contact");
    CHORUS_RETURN_IF_ERROR(check_text("default method", rec.default_method, 16, false));
    for (std::size_t i = 0; i < rec.default_method.size(); ++i) {
        const char c = rec.default_method[i];
        if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
            return make_error(Errc::invalid_argument, "default method must be a lower-case word");
    }
    if (rec.history.size() > kMaxHistory)
        return make_error(Errc::invalid_argument, "password history too long");
    for (const auto& h : rec.history)
        CHORUS_RETURN_IF_ERROR(check_text("history entry", h, kMaxHistoryLen, false));
    if (rec.reset) {
        CHORUS_RETURN_IF_ERROR(check_text("reset code hash", rec.reset->code_hash, kMaxHashLen, true));
        CHORUS_RETURN_IF_ERROR(check_text("reset id", rec.reset->reset_id, 256, true));
        if (rec.reset->attempts < 0 || rec.reset->attempts > 1000000)
            return make_error(Errc::invalid_argument, "reset attempts out of range");
        if (rec.reset->sends.size() > kMaxSends)
            return make_error(Errc::invalid_argument, "too many reset sends");
    }
    return ok_status();
}

Result<SecretString> encode_record(const UserRecord& rec) {
    CHORUS_RETURN_IF_ERROR(validate_record(rec));
    SecretString text;
    auto& out = text.raw();
    out.reserve(1024);
    const int version = version_of(rec);
    const std::string_view header = version == 4   ? kHeaderV4
                                    : version == 3 ? kHeaderV3
                                    : version == 2 ? kHeaderV2
                                                   : kHeaderV1;
    out.append(header.data(), header.size());
    out.push_back('\n');
    if (rec.totp) {
        put_hex(out, kKeyNames[rec.totp->sealed ? k_totp_sealed : k_totp_secret], rec.totp->secret);
        put_line(out, kKeyNames[k_totp_algorithm], algorithm_token(rec.totp->params.algorithm));
        put_int(out, kKeyNames[k_totp_digits], rec.totp->params.digits);
        put_int(out, kKeyNames[k_totp_period], rec.totp->params.period);
        put_int(out, kKeyNames[k_totp_window], rec.totp->window);
    }
    for (const auto& c : rec.recovery) put_line(out, kKeyNames[k_recovery], c.hash);
    if (!rec.phone.empty()) put_line(out, kKeyNames[k_phone], rec.phone);
    if (!rec.email.empty()) put_line(out, kKeyNames[k_email], rec.email);
    put_line(out, kKeyNames[k_default_method], rec.default_method);
    for (const auto& h : rec.history) put_line(out, kKeyNames[k_history], h);
    if (rec.reset) {
        // Every reset key is written, so an all-default reset still round-trips.
        const PendingReset& r = *rec.reset;
        put_line(out, kKeyNames[k_reset_code_hash], r.code_hash);
        put_line(out, kKeyNames[k_reset_id], r.reset_id);
        put_int(out, kKeyNames[k_reset_expires_at], r.expires_at);
        put_int(out, kKeyNames[k_reset_last_sent_at], r.last_sent_at);
        put_int(out, kKeyNames[k_reset_attempts], r.attempts);
        for (std::int64_t t : r.sends) put_int(out, kKeyNames[k_reset_send], t);
        put_int(out, kKeyNames[k_reset_locked_until], r.locked_until);
    }
    put_int(out, kKeyNames[k_first_seen], rec.first_seen);
    put_int(out, kKeyNames[k_enrolled_at], rec.enrolled_at);
    if (rec.phone_proven_at > 0) put_int(out, kKeyNames[k_phone_proven_at], rec.phone_proven_at);
    if (rec.email_proven_at > 0) put_int(out, kKeyNames[k_email_proven_at], rec.email_proven_at);
    if (!rec.phone2.empty()) put_line(out, kKeyNames[k_phone2], rec.phone2);
    if (rec.phone2_proven_at > 0) put_int(out, kKeyNames[k_phone2_proven_at], rec.phone2_proven_at);
    if (!rec.totp_name.empty()) put_line(out, kKeyNames[k_totp_name], rec.totp_name);
    for (const AppKey& a : rec.more_apps) put_app(out, a);
    put_push_lines(out, rec);
    std::string sum = sha256_hex(text.view());
    if (sum.size() != kSumHexLen) return make_error(Errc::internal, "SHA-256 failed");
    put_line(out, kSumPrefix.substr(0, kSumPrefix.size() - 1), sum);
    return text;
}

Result<UserRecord> parse_record(std::string_view text) {
    if (text.size() > kMaxRecordBytes) return corrupt("larger than 1 MiB");
    if (text.size() < 2 || text.back() != '\n') return corrupt("truncated (no final newline)");
    // The checksum line comes last and covers every byte before it, so a torn
    // or truncated file fails here before any field is believed.
    std::size_t sum_start = text.rfind('\n', text.size() - 2);
    if (sum_start == std::string_view::npos) return corrupt("no checksum line");
    ++sum_start;
    std::string_view body = text.substr(0, sum_start);
    std::string_view sum_line = text.substr(sum_start, text.size() - 1 - sum_start);
    if (sum_line.size() != kSumPrefix.size() + kSumHexLen ||
        sum_line.substr(0, kSumPrefix.size()) != kSumPrefix)
        return corrupt("no checksum line");
    std::string expected = sha256_hex(body);
    if (!ct_equal(expected, sum_line.substr(kSumPrefix.size()))) return corrupt("checksum mismatch");

    std::size_t nl = body.find('\n');
    std::string_view header = body.substr(0, nl);
    if (header != kHeaderV1 && header != kHeaderV2 && header != kHeaderV3 && header != kHeaderV4) {
        if (header.substr(0, kHeaderPrefix.size()) == kHeaderPrefix)
            return corrupt("unsupported format version (written by a newer release?)");
        return corrupt("not a chorus user record");
    }
    // Version 1 knew no proofs: its contacts read as not proven. Version 2
    // knew one app.
    const int version = header == kHeaderV1 ? 1 : header == kHeaderV2 ? 2 : header == kHeaderV3 ? 3 : 4;
    const std::size_t key_end = version == 1   ? std::size_t{k_first_v2}
                                : version == 2 ? std::size_t{k_first_v3}
                                : version == 3 ? std::size_t{k_first_v4}
                                               : std::size_t{k_count};
    UserRecord rec;
    TotpKey totp;
    PendingReset reset;
    rec.totp = std::move(totp);
    rec.reset = std::move(reset);
    bool any_totp = false;
    bool any_reset = false;
    std::bitset<k_count> seen;
    std::size_t lineno = 1;
    for (std::size_t pos = nl + 1; pos < body.size(); ++lineno) {
        std::size_t end = body.find('\n', pos);  // body ends with '\n', so never npos
        std::string_view line = body.substr(pos, end - pos);
        pos = end + 1;
        const std::string where = "line " + std::to_string(lineno + 1);
        std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos) return corrupt(where + ": no value");
        std::string_view key = line.substr(0, sp);
        std::string_view value = line.substr(sp + 1);
        if (has_control(value)) return corrupt(where + ": control character");
        std::size_t k = 0;
        while (k < key_end && kKeyNames[k] != key) ++k;
        if (k == key_end) return corrupt(where + ": unknown key");
        if (!repeatable(k) && seen.test(k)) return corrupt(where + ": repeated key");
        seen.set(k);
        any_totp = any_totp || k <= k_totp_window;
        any_reset = any_reset || (k >= k_reset_code_hash && k <= k_reset_locked_until);
        if (!apply(k, value, rec)) return corrupt(where + ": bad value for " + std::string(key));
    }
    if (!any_totp)
        rec.totp.reset();
    else if (seen.test(k_totp_secret) == seen.test(k_totp_sealed))
        return corrupt("TOTP settings need exactly one key");
    if (!any_reset) rec.reset.reset();
    // The lowest version that holds the record, as encode_record() writes it.
    if (version != version_of(rec))
        return corrupt("version " + std::to_string(version) + " header on a version " +
                       std::to_string(version_of(rec)) + " record");
    if (Status st = validate_record(rec); !st.ok()) return corrupt(st.error().message);
    return rec;
}

}  // namespace chorus
