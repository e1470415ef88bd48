// SPDX-License-Identifier: BSD-2-Clause
// Compiled blocklist files -> Blocklist::open (the file is mapped inside
// login processes), then lookups. The first byte chooses the input's shape:
//   0  the rest is the whole file;
//   1  a valid header (right count for the size) followed by the rest as
//      entries, so the ordering check and the lookups are reached;
//   2  as 1 with the entries sorted and de-duplicated: open must succeed;
//   3  the rest is a word list: compile() it, open the result; every word
//      of the list must then be found, in the file and in from_words().
// Every opened list is also asked about a few words taken from the input.
#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "password/blocklist.hpp"

namespace {

chorus_fuzz::ScratchDir& scratch() {
    static chorus_fuzz::ScratchDir dir;
    return dir;
}

void put_le(std::string& s, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string with_header(std::string_view entries, bool sort_them) {
    std::vector<std::uint64_t> v(entries.size() / 8);
    for (std::size_t i = 0; i < v.size(); ++i)
        std::memcpy(&v[i], entries.data() + 8 * i, 8);  // host = LE on x86
    if (sort_them) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
    }
    std::string f = "CHORUSBL";
    put_le(f, chorus::Blocklist::kVersion, 4);
    put_le(f, chorus::Blocklist::kHeaderSize, 4);
    put_le(f, v.size(), 8);
    put_le(f, 0, 8);
    for (std::uint64_t x : v) put_le(f, x, 8);
    return f;
}

std::vector<std::string> split_lines(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t end = s.find('\n', start);
        if (end == std::string_view::npos) end = s.size();
        std::string_view l = s.substr(start, end - start);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        if (!l.empty()) out.emplace_back(l);
        start = end + 1;
    }
    return out;
}

void probe(const chorus::Blocklist& bl, std::string_view rest) {
    (void)bl.contains("");
    (void)bl.contains("password");
    for (const std::string& w : split_lines(rest.substr(0, 256))) (void)bl.contains(w);
    std::string n = chorus::Blocklist::normalize(rest.substr(0, 256));
    (void)bl.contains(n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int mode = data[0] % 4;
    std::string_view rest = chorus_fuzz::as_text(data + 1, size - 1);
    const std::string path = scratch().file("list.bin");

    if (mode == 3) {
        std::vector<std::string> words = split_lines(rest);
        std::istringstream in{std::string(rest)};
        chorus::Status st = chorus::Blocklist::compile(in, path);
        if (!st.ok()) return 0;  // e.g. a NUL byte: refused, fine
        auto bl = chorus::Blocklist::open(path);
        FUZZ_CHECK(bl.ok());
        chorus::Blocklist mem = chorus::Blocklist::from_words(words);
        FUZZ_CHECK(bl->size() == mem.size());
        for (const std::string& w : words) {
            FUZZ_CHECK(bl->contains(w));
            FUZZ_CHECK(mem.contains(w));
        }
        probe(*bl, rest);
        return 0;
    }

    std::string file = mode == 0 ? std::string(rest) : with_header(rest, mode == 2);
    chorus_fuzz::write_file(path, file);
    auto bl = chorus::Blocklist::open(path);
    if (mode == 2) FUZZ_CHECK(bl.ok());
    if (!bl.ok()) return 0;
    FUZZ_CHECK(file.size() == chorus::Blocklist::kHeaderSize + 8 * bl->size());
    probe(*bl, rest);
    return 0;
}
