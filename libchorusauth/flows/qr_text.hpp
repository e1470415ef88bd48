// SPDX-License-Identifier: BSD-2-Clause
// A QR code drawn with text, for the terminal and the PAM conversation.
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/secure.hpp"

namespace chorus {

enum class QrStyle {
    utf8,   // half blocks: two module rows per line; light modules drawn (for light-on-dark terminals)
    ansi,   // ANSI background colours, two spaces a module: right on any terminal theme
    ascii,  // '#' and ' ', two characters a module: for terminals without UTF-8
    svg,    // a standalone SVG image (dark modules as black squares)
};

// The text of the QR code for `data` (e.g. an otpauth URI), with a quiet zone.
// The result holds the secret the URI holds: it is a SecretString.
Result<SecretString> render_qr(std::string_view data, QrStyle style);

}  // namespace chorus
