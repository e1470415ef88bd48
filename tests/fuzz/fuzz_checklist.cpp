// SPDX-License-Identifier: BSD-2-Clause
// The password checklist. Input: a mode byte, then "username\ngecos\ncandidate"
// (the candidate is the rest and may hold more newlines). Mode bit 0 adds a
// small in-memory blocklist; bit 1 turns on max_repeat/max_sequence; the rest
// of the config is the default PasswordConfig.
// Invariants: every rule is present in the documented order; length, class
// and UTF-8 verdicts agree with an independent reference; decode_utf8 keeps
// every byte (re-encoding gives back the input); a candidate that contains
// the user name (both valid UTF-8) fails no_username; GECOS name parts are at
// least 3 code points and hold no separator.
#include <array>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "password/blocklist.hpp"
#include "password/checklist.hpp"
#include "password/utf8.hpp"

namespace {

// Strict RFC 3629 validation, written independently of decode_utf8.
struct RefDecoded {
    bool valid = true;
    std::size_t count = 0;  // code points, each invalid byte counting as one
};

RefDecoded ref_decode(std::string_view s) {
    RefDecoded r;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t lo = 0x80, hi = 0xbf;  // allowed range of the 2nd byte
        if (b < 0x80)
            n = 1;
        else if (b >= 0xc2 && b <= 0xdf)
            n = 2;
        else if (b == 0xe0)
            n = 3, lo = 0xa0;
        else if (b >= 0xe1 && b <= 0xec)
            n = 3;
        else if (b == 0xed)
            n = 3, hi = 0x9f;
        else if (b >= 0xee && b <= 0xef)
            n = 3;
        else if (b == 0xf0)
            n = 4, lo = 0x90;
        else if (b >= 0xf1 && b <= 0xf3)
            n = 4;
        else if (b == 0xf4)
            n = 4, hi = 0x8f;
        bool ok = n != 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xbf);
        }
        if (!ok) {
            r.valid = false;
            n = 1;
        }
        ++r.count;
        i += n;
    }
    return r;
}

std::string_view take_line(std::string_view& rest) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return line;
}

const chorus::Blocklist& small_list() {
    static const chorus::Blocklist bl =
        chorus::Blocklist::from_words({"password", "letmein", "123456", "qwerty", "trustno1", "dragon"});
    return bl;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    std::string_view rest = chorus_fuzz::as_text(data + 1, size - 1);
    const std::string_view username = take_line(rest);
    const std::string_view gecos = take_line(rest);
    const std::string_view candidate = rest;

    chorus::PasswordConfig cfg;
    if (mode & 2) {
        cfg.max_repeat = 3;
        cfg.max_sequence = 4;
    }
    const chorus::Blocklist* bl = (mode & 1) ? &small_list() : nullptr;

    chorus::Checklist list = chorus::check_password(cfg, candidate, {username, gecos}, bl);

    std::vector<std::string> want = {"min_length", "max_length", "classes"};
    if (!username.empty()) want.emplace_back("no_username");
    if (bl != nullptr) want.emplace_back("not_blocklisted");
    if (mode & 2) {
        want.emplace_back("max_repeat");
        want.emplace_back("max_sequence");
    }
    want.emplace_back("valid_utf8");
    FUZZ_CHECK(list.rules.size() == want.size());
    bool all = true;
    for (std::size_t i = 0; i < want.size(); ++i) {
        FUZZ_CHECK(list.rules[i].id == want[i]);
        FUZZ_CHECK(!list.rules[i].text.empty());
        all = all && list.rules[i].met;
    }
    FUZZ_CHECK(list.ok() == all);

    // Length, classes and UTF-8 against the reference.
    const RefDecoded ref = ref_decode(candidate);
    const chorus::DecodedText d = chorus::decode_utf8(candidate);
    FUZZ_CHECK(d.valid == ref.valid);
    FUZZ_CHECK(d.cps.size() == ref.count);
    FUZZ_CHECK(list.rules.back().met == ref.valid);
    FUZZ_CHECK(list.rules[0].met == (ref.count >= 8));
    FUZZ_CHECK(list.rules[1].met == (ref.count <= 16));
    std::array<bool, 4> seen{};
    std::string again;
    for (char32_t cp : d.cps) {
        seen[static_cast<std::size_t>(chorus::classify(cp))] = true;
        if (cp >= chorus::kInvalidByte) {
            FUZZ_CHECK(cp - chorus::kInvalidByte <= 0xff);
            again += static_cast<char>(cp - chorus::kInvalidByte);
        } else {
            FUZZ_CHECK(cp < 0xd800 || (cp > 0xdfff && cp <= 0x10ffff));
            chorus::append_utf8(again, cp);
        }
    }
    FUZZ_CHECK(again == candidate);
    FUZZ_CHECK(list.rules[2].met == (seen[0] + seen[1] + seen[2] + seen[3] >= 3));
    // Lower-casing keeps invalid bytes and changes nothing but letters.
    std::string lower = chorus::utf8_lower(candidate);
    FUZZ_CHECK(chorus::decode_utf8(lower).valid == ref.valid);
    chorus::wipe_string(lower);
    chorus::wipe_string(again);

    if (!username.empty() && ref.valid && ref_decode(username).valid &&
        candidate.find(username) != std::string_view::npos)
        FUZZ_CHECK(!list.rules[3].met);

    for (const std::string& part : chorus::gecos_name_parts(gecos)) {
        FUZZ_CHECK(chorus::decode_utf8(part).cps.size() >= 3);
        FUZZ_CHECK(part.find_first_of(" \t-,") == std::string::npos);
    }
    if (bl != nullptr) {
        for (const char* w : {"password", "letmein", "123456"}) FUZZ_CHECK(bl->contains(w));
    }
    return 0;
}
