// SPDX-License-Identifier: BSD-2-Clause
#include "audit/journal.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#include <algorithm>

#include "util/lazy_library.hpp"

namespace chorus {
namespace {

// The socket journald listens on for native records (systemd's
// "Native Journal Protocol"); libsystemd writes to it.
constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

using SendvFn = int(const struct iovec*, int);

bool journal_runs() {
    struct stat st {};
    return ::stat(kJournalSocket, &st) == 0 && S_ISSOCK(st.st_mode);
}

bool needs_quotes(const std::string& v) {
    return v.empty() || std::any_of(v.begin(), v.end(),
                                    [](char c) { return c == ' ' || c == '"' || c == '\\' || c == '='; });
}

}  // namespace

bool journal_send(const std::vector<JournalField>& fields) {
    if (!journal_runs()) return false;
    Result<SendvFn*> sendv = systemd_library().function<SendvFn>("sd_journal_sendv");
    if (!sendv.ok()) return false;
    std::vector<std::string> lines;
    lines.reserve(fields.size());
    for (const JournalField& f : fields) lines.push_back(f.key + "=" + f.value);
    std::vector<struct iovec> iov(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        iov[i].iov_base = lines[i].data();
        iov[i].iov_len = lines[i].size();
    }
    return (*sendv)(iov.data(), static_cast<int>(iov.size())) >= 0;
}

std::string syslog_line(const std::vector<JournalField>& fields) {
    std::string line;
    for (const JournalField& f : fields) {
        // The syslog header says these.
        if (f.key == "PRIORITY" || f.key == "SYSLOG_FACILITY" || f.key == "SYSLOG_IDENTIFIER") continue;
        if (!line.empty()) line += ' ';
        line += f.key;
        line += '=';
        if (!needs_quotes(f.value)) {
            line += f.value;
            continue;
        }
        line += '"';
        for (char c : f.value) {
            if (c == '"' || c == '\\') line += '\\';
            line += c;
        }
        line += '"';
    }
    return line;
}

void syslog_send(int priority, const std::vector<JournalField>& fields) {
    // The host program's openlog() (if any) names the line; a library must
    // not change it. NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): syslog(3)
    ::syslog(LOG_AUTHPRIV | priority, "%s", syslog_line(fields).c_str());
}

void journal_preload() {
    if (journal_runs()) (void)systemd_library().symbol("sd_journal_sendv");
}

}  // namespace chorus
