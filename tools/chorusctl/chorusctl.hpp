// SPDX-License-Identifier: BSD-2-Clause
// chorusctl: shared declarations of the command modules.
#pragma once

#include <chorus/chorus.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/args.hpp"
#include "common/handles.hpp"

namespace chorusctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;
inline constexpr const char* kProg = "chorusctl";

struct Globals {
    const char* config = nullptr;  // NULL: the library's default path
    bool debug = false;
};

// A subcommand: argv[first..argc) are the words after its name.
using CommandFn = int (*)(Globals& g, int argc, char** argv, int first);

struct Command {
    const char* name;
    CommandFn fn;
    bool anyone;  // may run without root (touches no state)
    const char* usage;
};

// Parses a subcommand's words; the global options are accepted as well and
// applied to g. On a usage error prints it and returns false.
bool parse_command(Globals& g, const Command& cmd, int argc, char** argv, int first,
                   std::vector<chorus_tools::OptSpec> specs, size_t operands_min, size_t operands_max,
                   chorus_tools::ParsedArgs& out);

// Opens the library context (configuration + store); prints why on failure.
bool open_ctx(const Globals& g, chorus_tools::Ctx& ctx);

// Prints "chorusctl: WHAT: <strerror> (<last error>)" and returns kExitFail.
int fail(const chorus_ctx_t* ctx, const std::string& what, int rc);
// Prints "chorusctl: MESSAGE" and returns code.
int complain(int code, const std::string& message);
// Strict decimal integer; false when s is not one or is out of [lo, hi].
bool parse_int(std::string_view s, int lo, int hi, int& out);

const Command* find_command(std::string_view name);

// Prints "enrolled USER: ...", the grouped key and the otpauth URI.
void print_enrollment(chorus_ctx_t* ctx, const chorus_enrollment_t* e, const char* user);

// Command bodies, grouped by module.
int cmd_enroll(Globals& g, int argc, char** argv, int first);          // cmd_enroll.cpp
int cmd_recovery_codes(Globals& g, int argc, char** argv, int first);  // cmd_enroll.cpp
int cmd_break_glass(Globals& g, int argc, char** argv, int first);     // cmd_enroll.cpp
int cmd_status(Globals& g, int argc, char** argv, int first);          // cmd_status.cpp
int cmd_list(Globals& g, int argc, char** argv, int first);            // cmd_status.cpp
int cmd_unlock(Globals& g, int argc, char** argv, int first);          // cmd_admin.cpp
int cmd_unenroll(Globals& g, int argc, char** argv, int first);        // cmd_admin.cpp
int cmd_set_phone(Globals& g, int argc, char** argv, int first);       // cmd_admin.cpp
int cmd_set_email(Globals& g, int argc, char** argv, int first);
int cmd_set_default(Globals& g, int argc, char** argv, int first);
int cmd_apps(Globals& g, int argc, char** argv, int first);  // cmd_apps.cpp
int cmd_rename_app(Globals& g, int argc, char** argv, int first);
int cmd_remove_app(Globals& g, int argc, char** argv, int first);
int cmd_test_delivery(Globals& g, int argc, char** argv, int first);  // cmd_admin.cpp
int cmd_blocklist(Globals& g, int argc, char** argv, int first);      // cmd_admin.cpp
int cmd_push_key(Globals& g, int argc, char** argv, int first);       // cmd_admin.cpp
int cmd_report(Globals& g, int argc, char** argv, int first);         // cmd_report.cpp
int cmd_metrics(Globals& g, int argc, char** argv, int first);        // cmd_metrics.cpp

// The methods a login can use, as words ("app, phone, recovery codes" or
// "none") and as a JSON array (cmd_status.cpp).
std::string methods_text(const chorus_status_t* st);
std::string methods_json(const chorus_status_t* st);

// Calls each(user, status) for every user with stored state, sorted. A
// record that cannot be read is reported on stderr and skipped; the result
// is then kExitFail, as it is when the users cannot be listed (what names
// the command in that message).
int for_each_status(chorus_ctx_t* ctx, const std::string& what,
                    const std::function<void(const std::string&, const chorus_status_t*)>& each);
int cmd_import_ga(Globals& g, int argc, char** argv, int first);       // cmd_import.cpp
int cmd_check_config(Globals& g, int argc, char** argv, int first);    // cmd_check.cpp
int cmd_check_password(Globals& g, int argc, char** argv, int first);  // cmd_check.cpp
int cmd_db(Globals& g, int argc, char** argv, int first);              // cmd_db.cpp
int cmd_migrate_store(Globals& g, int argc, char** argv, int first);   // cmd_db.cpp

}  // namespace chorusctl
