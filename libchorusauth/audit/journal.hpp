// SPDX-License-Identifier: BSD-2-Clause
// Where an audit event goes: the systemd journal as one structured record,
// or, on a host without a journal, one syslog line carrying the same fields.
#pragma once

#include <string>
#include <vector>

namespace chorus {

// One field of a record, "KEY=value". Keys are upper case ASCII, values
// have had control bytes escaped (audit/event.cpp).
struct JournalField {
    std::string key;
    std::string value;
};

// Sends the record to the journal (sd_journal_sendv). False when no journal
// took it: its socket is absent, libsystemd cannot be loaded, or the send
// failed. libsystemd is loaded only once the socket is seen.
bool journal_send(const std::vector<JournalField>& fields);

// The syslog form, facility authpriv: KEY=value pairs separated by spaces,
// a value with a space, quote or backslash in double quotes with \" and \\.
std::string syslog_line(const std::vector<JournalField>& fields);
void syslog_send(int priority, const std::vector<JournalField>& fields);

// Loads libsystemd now when the journal runs, so that a child forked later
// (a delivery in the background) only calls into it.
void journal_preload();

}  // namespace chorus
