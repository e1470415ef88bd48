// SPDX-License-Identifier: BSD-2-Clause
// Usernames become file names in the state directory, so they are validated
// (nothing that could name another file or confuse a shell or log reader) and
// then encoded bijectively: list_users() must map every file back to exactly
// one user, and no two users may ever share a file.
#include <cstddef>
#include <string>

#include "store/store.hpp"

namespace chorus {
namespace {

constexpr std::size_t kMaxUserBytes = 256;
// NAME_MAX is 255; the longest name we build is "<stem>.rec.tmp" (8 more bytes).
// Leave a little slack so future suffixes fit too.
constexpr std::size_t kMaxStemBytes = 240;

bool is_plain(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

// Whether encode() writes byte c at position pos verbatim.
bool kept_verbatim(unsigned char c, std::size_t pos) {
    return is_plain(c) && !(pos == 0 && c == '.');
}

int hex_value(char c) {
    // Only upper case: the encoding is canonical, so "%2e" is not another spelling of "%2E".
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Status validate_username(std::string_view user) {
    if (user.empty()) return make_error(Errc::bad_username, "empty username");
    if (user.size() > kMaxUserBytes) return make_error(Errc::bad_username, "username longer than 256 bytes");
    if (user == "." || user == "..") return make_error(Errc::bad_username, "username is a directory name");
    if (user.front() == '-') return make_error(Errc::bad_username, "username starts with '-'");
    for (unsigned char c : user) {
        // Control bytes (which include \t \n \r) forge log lines; '/' escapes
        // the directory; ':' breaks passwd-style files; spaces break tools.
        if (c < 0x20 || c == 0x7f) return make_error(Errc::bad_username, "control character in username");
        if (c == ' ') return make_error(Errc::bad_username, "whitespace in username");
        if (c == '/') return make_error(Errc::bad_username, "'/' in username");
        if (c == ':') return make_error(Errc::bad_username, "':' in username");
    }
    return ok_status();
}

}  // namespace

Result<std::string> encode_username(std::string_view user) {
    CHORUS_RETURN_IF_ERROR(validate_username(user));
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(user.size());
    for (std::size_t i = 0; i < user.size(); ++i) {
        auto c = static_cast<unsigned char>(user[i]);
        if (kept_verbatim(c, i)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    if (out.size() > kMaxStemBytes)
        return make_error(Errc::bad_username, "username too long once encoded as a file name");
    return out;
}

Result<std::string> decode_username(std::string_view stem) {
    if (stem.empty() || stem.size() > kMaxStemBytes)
        return make_error(Errc::bad_username, "bad file-name stem");
    std::string out;
    out.reserve(stem.size());
    for (std::size_t i = 0; i < stem.size(); ++i) {
        auto c = static_cast<unsigned char>(stem[i]);
        if (c != '%') {
            if (!kept_verbatim(c, i))
                return make_error(Errc::bad_username, "bad character in file-name stem");
            out.push_back(static_cast<char>(c));
            continue;
        }
        if (stem.size() - i < 3) return make_error(Errc::bad_username, "truncated escape in file-name stem");
        int hi = hex_value(stem[i + 1]);
        int lo = hex_value(stem[i + 2]);
        if (hi < 0 || lo < 0) return make_error(Errc::bad_username, "bad escape in file-name stem");
        auto decoded = static_cast<unsigned char>(hi * 16 + lo);
        // An escape of a byte encode() would have kept is a second spelling of
        // the same user: refuse it so the mapping stays one-to-one.
        if (kept_verbatim(decoded, out.size()))
            return make_error(Errc::bad_username, "non-canonical escape in file-name stem");
        out.push_back(static_cast<char>(decoded));
        i += 2;
    }
    CHORUS_RETURN_IF_ERROR(validate_username(out));
    return out;
}

}  // namespace chorus
