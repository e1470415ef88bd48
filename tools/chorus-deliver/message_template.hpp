// SPDX-License-Identifier: BSD-2-Clause
// The delivery.* templates: the library's text wrapped in the admin's words.
// chorus_config_validate has already checked every template (known
// placeholders only, {{ and }} for literal braces, length caps).
#pragma once

#include <string>
#include <string_view>

namespace chorus_deliver {

struct TemplateValues {
    std::string_view message;  // {message}: the library's text (holds the code)
    std::string_view subject;  // {subject}: the library's subject (email only)
    std::string_view to;       // {to}: the recipient
    std::string_view host;     // {host}: this machine's name
};

// Expands tmpl into out (wiped and cleared first). The result may hold the
// code: its size is measured first and out reserved once, so that appending
// never leaves a stale copy, and the caller wipes it. An unknown placeholder
// is copied literally (cannot happen after validation). Values are inserted
// as they are; a caller that needs them encoded passes encoded values.
void render_template(std::string_view tmpl, const TemplateValues& v, std::string& out);

// gethostname(), or "localhost".
std::string host_name();

}  // namespace chorus_deliver
