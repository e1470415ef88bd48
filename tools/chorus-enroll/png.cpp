// SPDX-License-Identifier: BSD-2-Clause
#include "chorus-enroll/png.hpp"

#include <cstdint>
#include <string>
#include <vector>

#ifdef CHORUS_ENROLL_PNG
#include <zlib.h>
#endif

#include "common/secret.hpp"

namespace chorus_enroll {

#ifdef CHORUS_ENROLL_PNG
namespace {

// Rows of modules, true = dark.
using Grid = std::vector<std::vector<bool>>;

bool parse_ascii(std::string_view art, Grid& grid) {
    while (!art.empty()) {
        const size_t nl = art.find('\n');
        std::string_view line = art.substr(0, nl);
        art = nl == std::string_view::npos ? std::string_view() : art.substr(nl + 1);
        if (line.empty()) continue;
        if (line.size() % 2 != 0) return false;
        std::vector<bool> row;
        for (size_t i = 0; i < line.size(); i += 2) {
            const std::string_view cell = line.substr(i, 2);
            if (cell == "##")
                row.push_back(false);
            else if (cell == "  ")
                row.push_back(true);
            else
                return false;
        }
        if (!grid.empty() && row.size() != grid.front().size()) return false;
        grid.push_back(std::move(row));
    }
    return !grid.empty() && grid.size() == grid.front().size();
}

void put32(std::string& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xffU);
}

void chunk(std::string& out, const char* type, const std::string& data) {
    put32(out, static_cast<uint32_t>(data.size()));
    std::string body(type, 4);
    body += data;
    out += body;
    const uLong crc = ::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(body.data()),
                              static_cast<uInt>(body.size()));
    put32(out, static_cast<uint32_t>(crc));
}

}  // namespace

bool png_supported() {
    return true;
}

bool qr_ascii_to_png(std::string_view ascii, int scale, int extra_quiet, std::string& png) {
    Grid grid;
    if (scale < 1 || scale > 32 || extra_quiet < 0 || !parse_ascii(ascii, grid)) return false;
    const int modules = static_cast<int>(grid.size()) + 2 * extra_quiet;
    const int px = modules * scale;
    // Raw scanlines: a filter byte (0 = none) then one gray byte per pixel.
    std::vector<unsigned char> raw;
    raw.reserve(static_cast<size_t>(px) * static_cast<size_t>(px + 1));
    for (int y = 0; y < px; ++y) {
        raw.push_back(0);
        const int my = y / scale - extra_quiet;
        for (int x = 0; x < px; ++x) {
            const int mx = x / scale - extra_quiet;
            const bool inside = my >= 0 && mx >= 0 && my < static_cast<int>(grid.size()) &&
                                mx < static_cast<int>(grid.size());
            raw.push_back(inside && grid[static_cast<size_t>(my)][static_cast<size_t>(mx)] ? 0x00 : 0xff);
        }
    }
    uLongf zlen = ::compressBound(static_cast<uLong>(raw.size()));
    std::string z(zlen, '\0');
    // The picture encodes the key: wipe the intermediate copies.
    const int zrc =
        ::compress2(reinterpret_cast<Bytef*>(z.data()), &zlen, raw.data(), static_cast<uLong>(raw.size()), 9);
    chorus_tools::wipe(raw.data(), raw.size());
    if (zrc != Z_OK) return false;
    z.resize(zlen);
    std::string ihdr;
    put32(ihdr, static_cast<uint32_t>(px));
    put32(ihdr, static_cast<uint32_t>(px));
    ihdr +=
        std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, grayscale, deflate, no filter set, no interlace
    png.assign("\x89PNG\r\n\x1a\n", 8);
    chunk(png, "IHDR", ihdr);
    chunk(png, "IDAT", z);
    chunk(png, "IEND", std::string());
    chorus_tools::wipe(z.data(), z.size());
    return true;
}

#else

bool png_supported() {
    return false;
}

bool qr_ascii_to_png(std::string_view, int, int, std::string&) {
    return false;
}

#endif

}  // namespace chorus_enroll
