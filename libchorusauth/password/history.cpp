// SPDX-License-Identifier: BSD-2-Clause
#include "password/history.hpp"

#include <argon2.h>

#include <algorithm>
#include <cstdint>
#include <optional>

#include "util/lazy_library.hpp"
#include "util/secure.hpp"

namespace chorus {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::string_view kPrefix = "$argon2id$v=";

struct Argon2Params {
    std::uint32_t version = 0, m = 0, t = 0, p = 0;
    std::size_t salt_bytes = 0, hash_bytes = 0;
};

// Reads a decimal without sign or leading zeros, at most 10 digits.
bool take_number(std::string_view& s, std::uint32_t& out) {
    std::size_t n = 0;
    std::uint64_t v = 0;
    while (n < s.size() && n < 11 && s[n] >= '0' && s[n] <= '9')
        v = v * 10 + static_cast<std::uint64_t>(s[n++] - '0');
    if (n == 0 || n > 10 || (n > 1 && s[0] == '0') || v > UINT32_MAX) return false;
    out = static_cast<std::uint32_t>(v);
    s.remove_prefix(n);
    return true;
}

bool take(std::string_view& s, std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
}

// Unpadded standard base64, as libargon2 writes it; returns decoded size.
std::optional<std::size_t> take_b64(std::string_view& s) {
    std::size_t n = 0;
    auto is_b64 = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
               c == '/';
    };
    while (n < s.size() && is_b64(s[n])) ++n;
    if (n == 0 || n % 4 == 1) return std::nullopt;
    s.remove_prefix(n);
    return n * 3 / 4;
}

// Strict parse of "$argon2id$v=19$m=M,t=T,p=P$salt$hash".
std::optional<Argon2Params> parse_encoded(std::string_view s) {
    Argon2Params a;
    if (!take(s, kPrefix) || !take_number(s, a.version)) return std::nullopt;
    if (!take(s, "$m=") || !take_number(s, a.m)) return std::nullopt;
    if (!take(s, ",t=") || !take_number(s, a.t)) return std::nullopt;
    if (!take(s, ",p=") || !take_number(s, a.p) || !take(s, "$")) return std::nullopt;
    auto salt = take_b64(s);
    if (!salt || !take(s, "$")) return std::nullopt;
    auto hash = take_b64(s);
    if (!hash || !s.empty()) return std::nullopt;
    a.salt_bytes = *salt;
    a.hash_bytes = *hash;
    return a;
}

// libargon2, loaded by the first password change (util/lazy_library.hpp).
struct Argon2Api {
    decltype(&argon2_encodedlen) encodedlen = nullptr;
    decltype(&argon2id_hash_encoded) hash_encoded = nullptr;
    decltype(&argon2id_verify) verify = nullptr;
    decltype(&argon2_error_message) error_message = nullptr;
};

Result<Argon2Api> argon2_api() {
    LazyLibrary& lib = argon2_library();
    Argon2Api api;
    CHORUS_ASSIGN_OR_RETURN(api.encodedlen, lib.function<decltype(argon2_encodedlen)>("argon2_encodedlen"));
    CHORUS_ASSIGN_OR_RETURN(api.hash_encoded,
                            lib.function<decltype(argon2id_hash_encoded)>("argon2id_hash_encoded"));
    CHORUS_ASSIGN_OR_RETURN(api.verify, lib.function<decltype(argon2id_verify)>("argon2id_verify"));
    CHORUS_ASSIGN_OR_RETURN(api.error_message,
                            lib.function<decltype(argon2_error_message)>("argon2_error_message"));
    return api;
}

bool within_bounds(const Argon2Params& a) {
    return a.version == ARGON2_VERSION_13 && a.t >= 1 && a.t <= kArgon2MaxTime && a.p >= 1 &&
           a.p <= kArgon2MaxLanes && a.m >= 8 * a.p && a.m <= kArgon2MaxMemoryKib && a.salt_bytes >= 8 &&
           a.salt_bytes <= 64 && a.hash_bytes >= 16 && a.hash_bytes <= 64;
}

}  // namespace

Result<std::string> hash_password(const Argon2Config& cfg, std::string_view pw) {
    if (pw.size() > ARGON2_MAX_PWD_LENGTH) return make_error(Errc::invalid_argument, "password too long");
    if (cfg.t_cost < 1 || cfg.t_cost > kArgon2MaxTime || cfg.parallelism < 1 ||
        cfg.parallelism > kArgon2MaxLanes || cfg.m_cost_kib < 8 * cfg.parallelism ||
        cfg.m_cost_kib > kArgon2MaxMemoryKib)
        return make_error(Errc::config, "argon2 parameters out of range");
    CHORUS_ASSIGN_OR_RETURN(const Argon2Api argon2, argon2_api());
    unsigned char salt[kSaltBytes];
    if (!random_bytes(salt, sizeof salt))
        return make_error(Errc::internal, "no randomness for the password salt");
    std::string encoded(
        argon2.encodedlen(cfg.t_cost, cfg.m_cost_kib, cfg.parallelism, kSaltBytes, kHashBytes, Argon2_id),
        '\0');
    const int rc = argon2.hash_encoded(cfg.t_cost, cfg.m_cost_kib, cfg.parallelism, pw.data(), pw.size(),
                                       salt, sizeof salt, kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        const Errc code = rc == ARGON2_MEMORY_ALLOCATION_ERROR ? Errc::no_memory : Errc::internal;
        return make_error(code, std::string("argon2id: ") + argon2.error_message(rc));
    }
    const std::size_t end = encoded.find('\0');  // encodedlen counts the terminator
    if (end != std::string::npos) encoded.resize(end);
    return encoded;
}

Result<bool> verify_password(std::string_view encoded, std::string_view pw) {
    auto params = parse_encoded(encoded);
    if (!params || !within_bounds(*params))
        return make_error(Errc::corrupt, "not an argon2id hash with acceptable parameters");
    if (pw.size() > ARGON2_MAX_PWD_LENGTH) return false;
    CHORUS_ASSIGN_OR_RETURN(const Argon2Api argon2, argon2_api());
    const std::string z(encoded);  // libargon2 wants a C string
    const int rc = argon2.verify(z.c_str(), pw.data(), pw.size());
    if (rc == ARGON2_OK) return true;
    if (rc == ARGON2_VERIFY_MISMATCH) return false;
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) return make_error(Errc::no_memory, "argon2id: out of memory");
    return make_error(Errc::corrupt, std::string("argon2id: ") + argon2.error_message(rc));
}

bool needs_rehash(std::string_view encoded, const Argon2Config& cfg) {
    auto a = parse_encoded(encoded);
    if (!a) return true;
    return a->version != ARGON2_VERSION_13 || a->m != cfg.m_cost_kib || a->t != cfg.t_cost ||
           a->p != cfg.parallelism || a->salt_bytes != kSaltBytes || a->hash_bytes != kHashBytes;
}

Result<bool> history_contains(const std::vector<std::string>& history, std::string_view pw,
                              const HistoryConfig& cfg, bool reset_mode) {
    if (cfg.remember <= 0) return false;
    const std::size_t n = std::min(history.size(), static_cast<std::size_t>(cfg.remember));
    const std::size_t first = (reset_mode && cfg.reset_allows_last) ? 1 : 0;
    for (std::size_t i = first; i < n; ++i) {
        // Stopping at the first match is fine: each check costs a full
        // argon2id run, and the only thing the timing could reveal is which
        // old password the user (who typed it) is reusing.
        CHORUS_ASSIGN_OR_RETURN(bool match, verify_password(history[i], pw));
        if (match) return true;
    }
    return false;
}

Result<std::vector<std::string>> history_push(std::vector<std::string> history, std::string_view pw,
                                              const HistoryConfig& cfg) {
    if (cfg.remember <= 0) return std::vector<std::string>{};
    CHORUS_ASSIGN_OR_RETURN(std::string h, hash_password(cfg.argon2, pw));
    history.insert(history.begin(), std::move(h));
    if (history.size() > static_cast<std::size_t>(cfg.remember))
        history.resize(static_cast<std::size_t>(cfg.remember));
    return history;
}

bool history_rule_applies(const HistoryConfig& cfg, bool reset_mode) {
    if (cfg.remember <= 0) return false;
    return !(reset_mode && cfg.reset_allows_last && cfg.remember == 1);
}

void add_history_rule(Checklist& list, const HistoryConfig& cfg, bool reset_mode, bool reused) {
    if (!history_rule_applies(cfg, reset_mode)) return;
    std::string text;
    if (reset_mode && cfg.reset_allows_last)
        text = "Not one of your previous " + std::to_string(cfg.remember) +
               " passwords (the last one is allowed)";
    else if (cfg.remember == 1)
        text = "Not your last password";
    else
        text = "Not one of your last " + std::to_string(cfg.remember) + " passwords";
    list.rules.push_back(RuleResult{"history", std::move(text), !reused});
}

}  // namespace chorus
