// SPDX-License-Identifier: BSD-2-Clause
#include "message_template.hpp"

#include <unistd.h>

namespace chorus_deliver {

void render_template(std::string_view tmpl, const TemplateValues& v, std::string& out) {
    out.clear();
    out.reserve(tmpl.size() + 8 * (v.message.size() + v.subject.size() + v.to.size() + v.host.size()) + 1);
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        char c = tmpl[i];
        if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '{') {
            std::size_t end = tmpl.find('}', i);
            if (end != std::string_view::npos) {
                std::string_view name = tmpl.substr(i + 1, end - i - 1);
                const std::string_view* value = name == "message"   ? &v.message
                                                : name == "subject" ? &v.subject
                                                : name == "to"      ? &v.to
                                                : name == "host"    ? &v.host
                                                                    : nullptr;
                if (value != nullptr) {
                    if (out.size() + value->size() > out.capacity()) break;  // never reallocate
                    out += *value;
                    i = end;
                    continue;
                }
            }
        }
        if (out.size() + 1 > out.capacity()) break;
        out += c;
    }
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
    return buf;
}

}  // namespace chorus_deliver
