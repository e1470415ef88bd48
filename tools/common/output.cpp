// SPDX-License-Identifier: BSD-2-Clause
#include "common/output.hpp"

#include <syslog.h>

#include <ctime>
#include <string>

#include "common/text.hpp"

namespace chorus_tools {

void stderr_log(void* arg, int priority, const char* message) {
    const auto* sink = static_cast<const LogSink*>(arg);
    const char* prog = sink != nullptr && sink->prog != nullptr ? sink->prog : "chorus";
    if (priority > LOG_WARNING && (sink == nullptr || !sink->verbose)) return;
    std::string line = escape_text(message != nullptr ? message : "", false);
    std::fprintf(stderr, "%s: %s\n", prog, line.c_str());
}

size_t print_checklist(std::FILE* out, const chorus_checklist_t* cl) {
    size_t unmet = 0;
    const size_t n = chorus_checklist_count(cl);
    for (size_t i = 0; i < n; ++i) {
        const bool met = chorus_checklist_rule_met(cl, i) != 0;
        if (!met) ++unmet;
        std::string text = escape_text(chorus_checklist_rule_text(cl, i));
        std::fprintf(out, "[%c] %s\n", met ? 'x' : ' ', text.c_str());
    }
    return unmet;
}

const char* format_time(long long t, char* buf, size_t size) {
    if (size == 0) return "";
    struct tm tm {};
    const auto tt = static_cast<std::time_t>(t);
    if (t <= 0 || ::gmtime_r(&tt, &tm) == nullptr ||
        std::strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        std::snprintf(buf, size, "%s", t <= 0 ? "never" : "?");
    }
    return buf;
}

}  // namespace chorus_tools
