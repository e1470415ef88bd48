// SPDX-License-Identifier: BSD-2-Clause
// Base32 as typed or pasted by a person. Invariants: decode -> encode gives
// the canonical form of the input (upper case, no spaces/hyphens/padding) and
// decodes back to the same bytes (decode also skips tabs); the padded form decodes too; any bytes
// encode and decode back; grouping only inserts spaces.
#include <algorithm>
#include <cctype>
#include <string>

#include "fuzz_common.hpp"
#include "otp/base32.hpp"
#include "password/utf8.hpp"

namespace {

std::string canonical(std::string_view in) {
    std::string out;
    for (char c : in) {
        if (c == ' ' || c == '\t' || c == '-') continue;  // what decode skips
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

void check_round_trip(const chorus::SecretBytes& bytes) {
    chorus::SecretString plain = chorus::base32_encode(bytes);
    FUZZ_CHECK(plain.view().find('=') == std::string_view::npos);
    auto back = chorus::base32_decode(plain.view());
    FUZZ_CHECK(back.ok() && *back == bytes);
    chorus::SecretString padded = chorus::base32_encode(bytes, true);
    FUZZ_CHECK(padded.view().size() % 8 == 0);
    auto back2 = chorus::base32_decode(padded.view());
    FUZZ_CHECK(back2.ok() && *back2 == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text = chorus_fuzz::as_text(data, size);

    auto decoded = chorus::base32_decode(text);
    if (decoded.ok()) {
        chorus::SecretString enc = chorus::base32_encode(*decoded);
        FUZZ_CHECK(enc.view() == canonical(text));
        check_round_trip(*decoded);
    } else {
        FUZZ_CHECK(decoded.code() == chorus::Errc::invalid_argument);
        // Error messages never quote the input: no raw byte of it gets in.
        for (unsigned char c : decoded.error().message) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
    }

    // The same bytes as a key.
    chorus::SecretBytes raw(data, data + size);
    check_round_trip(raw);

    // Grouping only inserts spaces, and what it returns still decodes.
    chorus::SecretString enc = chorus::base32_encode(raw);
    for (int group : {-1, 0, 1, 4, 7}) {
        std::string g = chorus::group_base32(enc.view(), group);
        std::string stripped = g;
        stripped.erase(std::remove(stripped.begin(), stripped.end(), ' '), stripped.end());
        FUZZ_CHECK(stripped == enc.view());
        auto back = chorus::base32_decode(g);
        FUZZ_CHECK(back.ok() && *back == raw);
        chorus::wipe_string(g);
        chorus::wipe_string(stripped);
    }
    return 0;
}
