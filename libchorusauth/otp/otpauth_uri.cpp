// SPDX-License-Identifier: BSD-2-Clause
#include "otp/otpauth_uri.hpp"

#include <optional>
#include <string>

#include "otp/base32.hpp"
#include "otp/uri_text.hpp"

namespace chorus {

namespace {

constexpr std::string_view kScheme = "otpauth://";

Error bad(std::string_view what) {
    return make_error(Errc::invalid_argument, "otpauth URI: " + std::string(what));
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Shared by build and parse so that whatever we build, we can read back.
Status check_name(std::string_view s, std::string_view what, bool allow_empty) {
    if (s.empty() && !allow_empty) return bad(std::string(what) + " is empty");
    if (s.size() > kMaxOtpauthNameBytes) return bad(std::string(what) + " is too long");
    if (!is_valid_utf8(s)) return bad(std::string(what) + " is not valid UTF-8");
    if (has_control_chars(s)) return bad(std::string(what) + " contains control characters");
    return ok_status();
}

// The label must read back the same way: without an issuer, a ':' in the
// account would be taken as the separator; a leading space would be stripped.
Status check_label(std::string_view issuer, std::string_view account) {
    CHORUS_RETURN_IF_ERROR(check_name(issuer, "issuer", true));
    CHORUS_RETURN_IF_ERROR(check_name(account, "account", false));
    if (issuer.empty() && account.find(':') != std::string_view::npos) {
        return bad("an account containing ':' needs an issuer");
    }
    if (account.front() == ' ') return bad("account must not start with a space");
    return ok_status();
}

Status check_params(const OtpauthUri& u) {
    if (u.digits < 6 || u.digits > 8) return bad("digits must be 6, 7 or 8");
    if (u.type == OtpType::totp && (u.period < kMinOtpPeriod || u.period > kMaxOtpPeriod)) {
        return bad("period must be " + std::to_string(kMinOtpPeriod) + " to " +
                   std::to_string(kMaxOtpPeriod) + " seconds");
    }
    if (u.secret.size() < kMinOtpauthSecretBytes || u.secret.size() > kMaxOtpauthSecretBytes) {
        return bad("secret must be " + std::to_string(kMinOtpauthSecretBytes) + " to " +
                   std::to_string(kMaxOtpauthSecretBytes) + " bytes");
    }
    return ok_status();
}

// Decimal without sign, leading '+' or whitespace; nullopt on overflow.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (d > max || v > (max - d) / 10) return std::nullopt;  // v * 10 + d > max
        v = v * 10 + d;
    }
    return v;
}

Result<std::string> decode_name(std::string_view raw, std::string_view what) {
    auto r = percent_decode(raw);
    if (!r) return bad(std::string(what) + ": " + r.error().message);
    return r;
}

// Label "ISSUER:ACCOUNT" or "ACCOUNT". A literal ':' wins; without one, an
// encoded %3A also separates (the Key Uri Format allows either).
Status parse_label(std::string_view label, OtpauthUri& u) {
    std::string issuer;
    std::string account;
    const std::size_t colon = label.find(':');
    if (colon != std::string_view::npos) {
        CHORUS_ASSIGN_OR_RETURN(issuer, decode_name(label.substr(0, colon), "issuer"));
        CHORUS_ASSIGN_OR_RETURN(account, decode_name(label.substr(colon + 1), "account"));
    } else {
        CHORUS_ASSIGN_OR_RETURN(std::string whole, decode_name(label, "label"));
        const std::size_t c2 = whole.find(':');
        if (c2 == std::string::npos) {
            account = std::move(whole);
        } else {
            issuer = whole.substr(0, c2);
            account = whole.substr(c2 + 1);
        }
    }
    // "optional spaces may precede the account name" (Key Uri Format).
    const std::size_t first = account.find_first_not_of(' ');
    account.erase(0, first == std::string::npos ? account.size() : first);
    CHORUS_RETURN_IF_ERROR(check_name(issuer, "issuer", true));
    CHORUS_RETURN_IF_ERROR(check_name(account, "account", false));
    u.issuer = std::move(issuer);
    u.account = std::move(account);
    return ok_status();
}

struct RawParams {
    std::optional<std::string_view> secret, issuer, algorithm, digits, period, counter;
};

struct KnownParam {
    std::string_view name;
    std::optional<std::string_view> RawParams::*member;
};

constexpr KnownParam kKnownParams[] = {
    {"secret", &RawParams::secret}, {"issuer", &RawParams::issuer}, {"algorithm", &RawParams::algorithm},
    {"digits", &RawParams::digits}, {"period", &RawParams::period}, {"counter", &RawParams::counter},
};

Status collect_params(std::string_view query, RawParams& p) {
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view seg = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (seg.empty()) continue;  // "a=1&&b=2" or a trailing '&': harmless
        const std::size_t eq = seg.find('=');
        if (eq == std::string_view::npos) return bad("parameter without '='");
        CHORUS_ASSIGN_OR_RETURN(std::string key, decode_name(seg.substr(0, eq), "parameter name"));
        const std::string_view value = seg.substr(eq + 1);
        std::optional<std::string_view>* slot = nullptr;
        std::string_view name;
        for (const auto& k : kKnownParams) {
            if (iequals(key, k.name)) {
                slot = &(p.*k.member);
                name = k.name;
            }
        }
        if (slot == nullptr) {
            // Unknown (image=, color=, ...): ignored, but a broken escape is
            // still a broken URI.
            auto ignored = percent_decode(value);
            if (!ignored) return bad("parameter value: " + ignored.error().message);
            continue;
        }
        // Two secrets (or issuers) in one URI mean someone is playing games:
        // which one would each app pick?
        if (slot->has_value()) return bad("duplicate parameter '" + std::string(name) + "'");
        *slot = value;
    }
    return ok_status();
}

Status apply_params(const RawParams& p, OtpauthUri& u) {
    if (!p.secret) return bad("missing secret parameter");
    SecretString b32;
    if (!percent_decode_into(*p.secret, b32.raw()).ok()) return bad("secret: malformed percent escape");
    auto key = base32_decode(b32.view());
    if (!key) return bad("secret: " + key.error().message);
    u.secret = std::move(key).value();

    if (p.issuer) {
        CHORUS_ASSIGN_OR_RETURN(std::string issuer, decode_name(*p.issuer, "issuer"));
        CHORUS_RETURN_IF_ERROR(check_name(issuer, "issuer", true));
        if (!u.issuer.empty() && issuer != u.issuer) return bad("issuer parameter differs from the label");
        u.issuer = std::move(issuer);
    }
    CHORUS_RETURN_IF_ERROR(check_label(u.issuer, u.account));
    if (p.algorithm) {
        CHORUS_ASSIGN_OR_RETURN(std::string name, decode_name(*p.algorithm, "algorithm"));
        auto alg = parse_algorithm(name);
        if (!alg) return bad("algorithm must be SHA1, SHA256 or SHA512");
        u.algorithm = *alg;
    }
    if (p.digits) {
        auto d = parse_uint(*p.digits, 8);
        if (!d || *d < 6) return bad("digits must be 6, 7 or 8");
        u.digits = static_cast<int>(*d);
    }
    if (u.type == OtpType::totp && p.period) {
        auto per = parse_uint(*p.period, static_cast<std::uint64_t>(kMaxOtpPeriod));
        if (!per) return bad("period out of range");
        u.period = static_cast<int>(*per);
    }
    if (u.type == OtpType::hotp) {
        if (!p.counter) return bad("hotp URI without counter");
        auto c = parse_uint(*p.counter, UINT64_MAX);
        if (!c) return bad("counter is not a decimal number");
        u.counter = *c;
    }
    return check_params(u);
}

}  // namespace

Result<SecretString> build_otpauth_uri(const OtpauthUri& u) {
    CHORUS_RETURN_IF_ERROR(check_label(u.issuer, u.account));
    CHORUS_RETURN_IF_ERROR(check_params(u));

    SecretString out;
    auto& s = out.raw();
    s.reserve(160 + u.secret.size() * 2 + 6 * (u.issuer.size() + u.account.size()));
    s.append(kScheme.data(), kScheme.size());
    s.append(u.type == OtpType::totp ? "totp/" : "hotp/");
    const std::string issuer = percent_encode(u.issuer);
    if (!issuer.empty()) s.append(issuer).push_back(':');
    s.append(percent_encode(u.account));
    s.append("?secret=");
    const SecretString b32 = base32_encode(u.secret);
    s.append(b32.view().data(), b32.size());
    if (!issuer.empty()) s.append("&issuer=").append(issuer);
    s.append("&algorithm=").append(algorithm_name(u.algorithm));
    s.append("&digits=").append(std::to_string(u.digits));
    if (u.type == OtpType::totp) {
        s.append("&period=").append(std::to_string(u.period));
    } else {
        s.append("&counter=").append(std::to_string(u.counter));
    }
    return out;
}

Result<SecretString> make_otpauth_uri(std::string_view issuer, std::string_view account,
                                      const SecretBytes& secret, const TotpParams& p) {
    OtpauthUri u;
    u.issuer = std::string(issuer);
    u.account = std::string(account);
    u.secret = secret;
    u.algorithm = p.algorithm;
    u.digits = p.digits;
    u.period = p.period;
    return build_otpauth_uri(u);
}

Result<OtpauthUri> parse_otpauth_uri(std::string_view uri) {
    if (uri.size() > kMaxOtpauthUriBytes) return bad("longer than 4096 bytes");
    for (char ch : uri) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f)
            return bad("contains a space, control or non-ASCII byte (must be %-encoded)");
    }
    if (uri.size() < kScheme.size() || !iequals(uri.substr(0, kScheme.size()), kScheme)) {
        return bad("does not start with otpauth://");
    }
    std::string_view rest = uri.substr(kScheme.size());
    rest = rest.substr(0, rest.find('#'));  // a fragment carries nothing for us

    OtpauthUri u;
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return bad("missing label");
    const std::string_view type = rest.substr(0, slash);
    if (!iequals(type, "totp") && !iequals(type, "hotp")) return bad("type must be totp or hotp");
    u.type = iequals(type, "totp") ? OtpType::totp : OtpType::hotp;
    rest = rest.substr(slash + 1);

    const std::size_t q = rest.find('?');
    CHORUS_RETURN_IF_ERROR(parse_label(rest.substr(0, q), u));
    RawParams raw;
    if (q != std::string_view::npos) CHORUS_RETURN_IF_ERROR(collect_params(rest.substr(q + 1), raw));
    CHORUS_RETURN_IF_ERROR(apply_params(raw, u));
    return u;
}

}  // namespace chorus
