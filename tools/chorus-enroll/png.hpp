// SPDX-License-Identifier: BSD-2-Clause
// A minimal PNG encoder for QR codes (8-bit grayscale, zlib deflate): the
// library draws no PNG, so the module grid is read back from its ASCII
// drawing ("##" light, "  " dark) and scaled up.
#pragma once

#include <string>
#include <string_view>

namespace chorus_enroll {

// True when this build can write PNG (zlib was found).
bool png_supported();

// Turns the CHORUS_QR_ASCII drawing into a PNG, each module scale x scale
// pixels with a border of extra_quiet light modules added around it.
// False when the drawing does not parse or compression fails.
[[nodiscard]] bool qr_ascii_to_png(std::string_view ascii, int scale, int extra_quiet, std::string& png);

}  // namespace chorus_enroll
