// SPDX-License-Identifier: BSD-2-Clause
#include "message_template.hpp"

#include <unistd.h>

#include "common/secret.hpp"

namespace chorus_deliver {
namespace {

const std::string_view* lookup(const TemplateValues& v, std::string_view name) {
    return name == "message"   ? &v.message
           : name == "subject" ? &v.subject
           : name == "to"      ? &v.to
           : name == "host"    ? &v.host
                               : nullptr;
}

// Calls emit() with each piece of the expansion in order: a literal
// character, or the value of a placeholder.
template <typename Emit>
void expand(std::string_view tmpl, const TemplateValues& v, Emit emit) {
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        char c = tmpl[i];
        if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
            emit(tmpl.substr(i, 1));
            ++i;
            continue;
        }
        if (c == '{') {
            std::size_t end = tmpl.find('}', i);
            const std::string_view* value =
                end == std::string_view::npos ? nullptr : lookup(v, tmpl.substr(i + 1, end - i - 1));
            if (value != nullptr) {
                emit(*value);
                i = end;
                continue;
            }
        }
        emit(tmpl.substr(i, 1));
    }
}

}  // namespace

void render_template(std::string_view tmpl, const TemplateValues& v, std::string& out) {
    // Measured first, so that out is allocated once and never reallocated.
    std::size_t size = 0;
    expand(tmpl, v, [&size](std::string_view piece) { size += piece.size(); });
    chorus_tools::wipe(out.data(), out.size());
    out.clear();
    out.reserve(size);
    expand(tmpl, v, [&out](std::string_view piece) { out.append(piece); });
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf;
}

}  // namespace chorus_deliver
