// SPDX-License-Identifier: BSD-2-Clause
// Blocklist key derivation: the normalisation shared by the compiler and the
// lookup. Changing anything here changes which keys a file holds, so it must
// come with a bump of Blocklist::kVersion.
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "password/blocklist.hpp"
#include "password/utf8.hpp"

namespace chorus {
namespace {

// Fewer remaining characters than this and the stripped forms are not looked
// up: "!!7x99" must not be rejected because a list contains "x".
constexpr std::size_t kMinStrippedKey = 3;

char32_t fold_one(char32_t cp) {
    switch (cp) {
    case U'0':
        return U'o';
    case U'1':
    case U'l':
    case U'!':
    case U'|':
        return U'i';
    case U'3':
        return U'e';
    case U'4':
    case U'@':
        return U'a';
    case U'5':
    case U'$':
        return U's';
    case U'7':
    case U'+':
        return U't';
    default:
        return cp;
    }
}

// The look-alikes that almost always stand for a letter, even at the end of
// a password ("trustn0"); 1, ! and | are left out because as a suffix they
// are far more often a digit or punctuation ("password1!").
char32_t fold_unambiguous(char32_t cp) {
    switch (cp) {
    case U'1':
    case U'!':
    case U'|':
        return cp;
    default:
        return fold_one(cp);
    }
}

std::string encode_range(const CodePoints& cps, std::size_t begin, std::size_t end, bool fold) {
    std::string out;
    out.reserve((end - begin) * 4);  // no reallocation: candidates are secrets
    for (std::size_t i = begin; i < end; ++i) append_utf8(out, fold ? fold_one(cps[i]) : cps[i]);
    return out;
}

// [begin, end) bounds of the stripped forms of a lowercased text.
struct Bounds {
    std::size_t core_begin = 0, core_end = 0;  // both ends stripped
    std::size_t trail_end = 0;                 // only the end stripped (begin = 0)
    bool has_letters = false;
};

Bounds strip_bounds(const CodePoints& cps) {
    Bounds b;
    const std::size_t n = cps.size();
    std::size_t first = n;
    std::size_t last = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (is_letter(cps[i])) {
            if (first == n) first = i;
            last = i;
        }
    }
    if (first < n) {
        b.has_letters = true;
        b.core_begin = first;
        b.core_end = last + 1;
        b.trail_end = last + 1;
        return b;
    }
    // No letters at all ("123456!"): keep the digits, drop surrounding symbols.
    std::size_t lo = 0;
    while (lo < n && !is_digit(cps[lo])) ++lo;
    std::size_t hi = n;
    while (hi > lo && !is_digit(cps[hi - 1])) --hi;
    b.core_begin = lo;
    b.core_end = hi;
    b.trail_end = 0;
    return b;
}

CodePoints lowered(std::string_view s) {
    DecodedText d = decode_utf8(s);
    for (char32_t& cp : d.cps) cp = to_lower(cp);
    return std::move(d.cps);
}

const EVP_MD* sha256() {
    // Fetched once: an implicit fetch on every digest costs a lock and a
    // lookup, which would dominate a lookup in a million-entry list.
    static const EVP_MD* md = [] {
        EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        return fetched != nullptr ? static_cast<const EVP_MD*>(fetched) : EVP_sha256();
    }();
    return md;
}

}  // namespace

std::uint64_t blocklist_hash(std::string_view key) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(key.data(), key.size(), digest, &len, sha256(), nullptr) != 1 || len < 8) {
        // Out of memory inside OpenSSL; a fixed value can only cause a
        // spurious match or miss, never a crash. Practically unreachable.
        return 0;
    }
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | digest[i];
    return v;
}

std::string fold_lookalikes(std::string_view s) {
    CodePoints cps = lowered(s);
    return encode_range(cps, 0, cps.size(), true);
}

std::string Blocklist::normalize(std::string_view s) {
    CodePoints cps = lowered(s);
    Bounds b = strip_bounds(cps);
    return encode_range(cps, b.core_begin, b.core_end, true);
}

std::vector<std::string> blocklist_keys(std::string_view s) {
    CodePoints cps = lowered(s);
    Bounds b = strip_bounds(cps);
    std::vector<std::string> keys;
    keys.reserve(4);  // no reallocation: moved small strings would leave copies behind
    keys.push_back(encode_range(cps, 0, cps.size(), false));
    if (b.core_end - b.core_begin >= kMinStrippedKey)
        keys.push_back(encode_range(cps, b.core_begin, b.core_end, true));
    if (b.has_letters && b.trail_end >= kMinStrippedKey && b.core_begin != 0)
        keys.push_back(encode_range(cps, 0, b.trail_end, true));
    for (char32_t& cp : cps) cp = fold_unambiguous(cp);
    Bounds f = strip_bounds(cps);
    if (f.has_letters && f.core_end - f.core_begin >= kMinStrippedKey &&
        (f.core_begin != b.core_begin || f.core_end != b.core_end))
        keys.push_back(encode_range(cps, f.core_begin, f.core_end, true));
    return keys;
}

}  // namespace chorus
