// SPDX-License-Identifier: BSD-2-Clause
// QR codes drawn as text must scan: each style is turned back into an image
// and decoded by zbarimg, an independent decoder.
#include <cstdio>
#include <string>
#include <vector>

#include "flows/qr_text.hpp"
#include "testutil.hpp"

namespace {

const char* kUri =
    "otpauth://totp/"
    "Chorus:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Chorus&algorithm=SHA1&digits=6&period=30";

// Module grid (true = dark) recovered from the ASCII drawing: "##" light, "  " dark.
std::vector<std::vector<bool>> grid_from_ascii(const std::string& text) {
    std::vector<std::vector<bool>> rows;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end - start);
        std::vector<bool> row;
        for (std::size_t i = 0; i + 1 < line.size(); i += 2) row.push_back(line[i] == ' ');
        rows.push_back(row);
        start = end + 1;
    }
    return rows;
}

// Writes a PBM (1 = black), each module scaled to 4x4 pixels, and decodes it.
std::string decode(const std::vector<std::vector<bool>>& grid, const chorus_test::TempDir& dir) {
    const int scale = 4;
    std::string path = dir.file("qr.pbm");
    FILE* f = std::fopen(path.c_str(), "w");
    std::fprintf(f, "P1\n%zu %zu\n", grid[0].size() * scale, grid.size() * scale);
    for (const auto& row : grid)
        for (int sy = 0; sy < scale; ++sy) {
            for (bool dark : row)
                for (int sx = 0; sx < scale; ++sx) std::fputs(dark ? "1 " : "0 ", f);
            std::fputc('\n', f);
        }
    std::fclose(f);
    std::string cmd = "zbarimg --quiet --raw '" + path + "' 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

void test_ascii_qr_decodes_to_the_uri(void**) {
    if (std::system("command -v zbarimg >/dev/null") != 0) skip();
    chorus_test::TempDir dir;
    auto qr = chorus::render_qr(kUri, chorus::QrStyle::ascii);
    assert_true(qr.ok());
    assert_string_equal(decode(grid_from_ascii(std::string(qr->view())), dir).c_str(), kUri);
}

void test_utf8_half_blocks_match_the_ascii_grid(void**) {
    auto ascii = chorus::render_qr(kUri, chorus::QrStyle::ascii);
    auto utf8 = chorus::render_qr(kUri, chorus::QrStyle::utf8);
    assert_true(ascii.ok() && utf8.ok());
    auto grid = grid_from_ascii(std::string(ascii->view()));
    // Rebuild the grid from the half blocks: light modules are drawn.
    std::vector<std::vector<bool>> rebuilt(grid.size(), std::vector<bool>(grid[0].size(), true));
    std::string text(utf8->view());
    std::size_t row = 0, col = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '\n') {
            row += 2;
            col = 0;
            ++i;
            continue;
        }
        bool top_light = false, bottom_light = false;
        if (text.compare(i, 3, "\u2588") == 0) {
            top_light = bottom_light = true;
            i += 3;
        } else if (text.compare(i, 3, "\u2580") == 0) {
            top_light = true;
            i += 3;
        } else if (text.compare(i, 3, "\u2584") == 0) {
            bottom_light = true;
            i += 3;
        } else {
            assert_int_equal(text[i], ' ');
            ++i;
        }
        rebuilt[row][col] = !top_light;
        if (row + 1 < rebuilt.size()) rebuilt[row + 1][col] = !bottom_light;
        ++col;
    }
    assert_true(rebuilt == grid);
}

void test_svg_is_a_standalone_image(void**) {
    auto svg = chorus::render_qr(kUri, chorus::QrStyle::svg);
    assert_true(svg.ok());
    std::string s(svg->view());
    assert_true(s.rfind("<?xml", 0) == 0);
    assert_true(s.find("</svg>") != std::string::npos);
}

void test_too_long_text_is_refused(void**) {
    auto qr = chorus::render_qr(std::string(8000, 'A'), chorus::QrStyle::ascii);
    assert_false(qr.ok());
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_qr_decodes_to_the_uri),
        cmocka_unit_test(test_utf8_half_blocks_match_the_ascii_grid),
        cmocka_unit_test(test_svg_is_a_standalone_image),
        cmocka_unit_test(test_too_long_text_is_refused),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
