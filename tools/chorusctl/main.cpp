// SPDX-License-Identifier: BSD-2-Clause
// chorusctl: administration of Chorus (root only, except the two checks).
// Reads like a table of contents: global options, the command table, the
// root check, dispatch. See chorusctl(8).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "chorusctl/chorusctl.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

#ifndef CHORUS_VERSION
#define CHORUS_VERSION "unknown"
#endif

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

const Command kCommands[] = {
    {"enroll", cmd_enroll, false,
     "enroll USER [--secret BASE32|-] [--algorithm sha1|sha256|sha512] [--digits 6|7|8]\n"
     "               [--period SECONDS] [--qr[=utf8|ansi|ascii]] [--name NAME] [--add|--force]"},
    {"status", cmd_status, false, "status USER [--json]"},
    {"list", cmd_list, false, "list [--json]"},
    {"report", cmd_report, false, "report [--json]           (who registered what, grace, locks)"},
    {"metrics", cmd_metrics, false, "metrics [--textfile DIR] [--users]  (Prometheus text format)"},
    {"unlock", cmd_unlock, false, "unlock USER"},
    {"unenroll", cmd_unenroll, false, "unenroll USER [--all]"},
    {"recovery-codes", cmd_recovery_codes, false, "recovery-codes USER"},
    {"break-glass", cmd_break_glass, false,
     "break-glass USER          (host-local codes for a fleet outage)"},
    {"set-phone", cmd_set_phone, false,
     "set-phone [--alternate] [--prove-by sms|call|--no-prove|--proven] USER NUMBER  (\"\" removes)"},
    {"set-email", cmd_set_email, false, "set-email [--no-prove|--proven] USER ADDRESS  (\"\" removes)"},
    {"set-default", cmd_set_default, false, "set-default USER app|sms|call|sms2|call2|push"},
    {"test-delivery", cmd_test_delivery, false, "test-delivery email|sms|voice TO"},
    {"import-google-authenticator", cmd_import_ga, false,
     "import-google-authenticator USER FILE [--name NAME] [--force]"},
    {"apps", cmd_apps, false, "apps USER                 (the user's authenticator apps)"},
    {"rename-app", cmd_rename_app, false, "rename-app USER APP NAME  (APP: its name or number)"},
    {"remove-app", cmd_remove_app, false, "remove-app USER APP"},
    {"blocklist", cmd_blocklist, false, "blocklist compile WORDLIST OUT"},
    {"push-key", cmd_push_key, true, "push-key generate FILE     (the signing key for push approval)"},
    {"db", cmd_db, false, "db init|migrate|status [--plugin FILE]"},
    {"migrate-store", cmd_migrate_store, false, "migrate-store --from file --to postgresql [--plugin FILE]"},
    {"check-config", cmd_check_config, true, "check-config [FILE]"},
    {"check-password", cmd_check_password, true, "check-password [--user USER [--gecos TEXT]] [--reset]"},
};

const std::vector<chorus_tools::OptSpec> kGlobalSpecs = {{"config", ArgKind::required},
                                                         {"debug", ArgKind::flag},
                                                         {"help", ArgKind::flag},
                                                         {"version", ArgKind::flag}};

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: chorusctl [--config FILE] [--debug] COMMAND [ARGS...]\n"
                 "       chorusctl --help | --version\n\nCommands:\n");
    for (const auto& c : kCommands) std::fprintf(out, "  %s\n", c.usage);
    std::fprintf(out,
                 "\nEvery command but check-config and check-password must be run as root;\n"
                 "check-password --user needs root too. See chorusctl(8).\n");
}

// Applies --config/--debug from parsed words; false (after a message) on --config "".
bool apply_globals(Globals& g, const chorus_tools::ParsedArgs& pa) {
    if (const auto* c = pa.last("config")) {
        if (c->value->empty()) {
            complain(kExitUsage, "--config needs a file name");
            return false;
        }
        g.config = c->value->data();  // points into argv: NUL-terminated
    }
    if (pa.has("debug")) g.debug = true;
    return true;
}

}  // namespace

const Command* find_command(std::string_view name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

bool parse_command(Globals& g, const Command& cmd, int argc, char** argv, int first,
                   std::vector<chorus_tools::OptSpec> specs, size_t operands_min, size_t operands_max,
                   chorus_tools::ParsedArgs& out) {
    specs.push_back({"config", ArgKind::required});
    specs.push_back({"debug", ArgKind::flag});
    specs.push_back({"help", ArgKind::flag});
    out = chorus_tools::parse_args(argc, argv, first, specs);
    if (!out.error.empty()) {
        std::fprintf(stderr, "chorusctl %s: %s\nUsage: chorusctl %s\n", cmd.name, out.error.c_str(),
                     cmd.usage);
        return false;
    }
    if (out.has("help")) {
        std::printf("Usage: chorusctl %s\n", cmd.usage);
        std::exit(kExitOk);
    }
    if (out.operands.size() < operands_min || out.operands.size() > operands_max) {
        std::fprintf(stderr, "chorusctl %s: %s\nUsage: chorusctl %s\n", cmd.name,
                     out.operands.size() < operands_min ? "missing argument" : "too many arguments",
                     cmd.usage);
        return false;
    }
    return apply_globals(g, out);
}

bool open_ctx(const Globals& g, chorus_tools::Ctx& ctx) {
    static chorus_tools::LogSink sink;  // outlives the context
    sink = chorus_tools::LogSink{kProg, g.debug};
    const unsigned flags = g.debug ? CHORUS_CTX_DEBUG : 0U;
    int rc = chorus_ctx_new(ctx.out(), g.config, chorus_tools::stderr_log, &sink, flags);
    if (rc == CHORUS_OK) return true;
    // The library has logged the detail through stderr_log.
    std::string where = g.config != nullptr ? escape_text(g.config) : "the default configuration";
    std::fprintf(stderr, "chorusctl: cannot open %s and its state store: %s\n", where.c_str(),
                 chorus_strerror(rc));
    return false;
}

int fail(const chorus_ctx_t* ctx, const std::string& what, int rc) {
    const char* detail = ctx != nullptr ? chorus_ctx_last_error(ctx) : "";
    if (detail != nullptr && *detail != '\0') {
        std::string d = escape_text(detail);
        std::fprintf(stderr, "chorusctl: %s: %s (%s)\n", what.c_str(), chorus_strerror(rc), d.c_str());
    } else {
        std::fprintf(stderr, "chorusctl: %s: %s\n", what.c_str(), chorus_strerror(rc));
    }
    return kExitFail;
}

int complain(int code, const std::string& message) {
    std::fprintf(stderr, "chorusctl: %s\n", message.c_str());
    return code;
}

bool parse_int(std::string_view s, int lo, int hi, int& out) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || v < lo || v > hi) return false;
    out = v;
    return true;
}

}  // namespace chorusctl

int main(int argc, char** argv) {
    using namespace chorusctl;
    if (argc < 1 || argv[0] == nullptr) return kExitUsage;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    Globals g;
    auto pa = chorus_tools::parse_args(argc, argv, 1, kGlobalSpecs, /*stop_at_operand=*/true);
    if (!pa.error.empty()) {
        std::fprintf(stderr, "chorusctl: %s\n", pa.error.c_str());
        print_usage(stderr);
        return kExitUsage;
    }
    if (pa.has("version")) {
        std::printf("chorusctl %s\n", CHORUS_VERSION);
        return kExitOk;
    }
    if (pa.has("help")) {
        print_usage(stdout);
        return kExitOk;
    }
    if (pa.operands.empty()) {
        print_usage(stderr);
        return kExitUsage;
    }
    if (!apply_globals(g, pa)) return kExitUsage;
    const Command* cmd = find_command(pa.operands[0]);
    if (cmd == nullptr)
        return complain(kExitUsage,
                        "unknown command " + escape_text(pa.operands[0]) + " (try chorusctl --help)");
    // Real uid: a setuid copy must not turn a user into an administrator.
    const bool help_only = pa.operands.size() >= 2 && (pa.operands[1] == "--help" || pa.operands[1] == "-h");
    if (!cmd->anyone && ::getuid() != 0 && !help_only)
        return complain(kExitFail, std::string(cmd->name) + " must be run as root");
    const int first = argc - static_cast<int>(pa.operands.size()) + 1;
    int status = cmd->fn(g, argc, argv, first);
    // Output that did not arrive is a failure: recovery codes are shown once,
    // and a script must not take a truncated listing for a complete one.
    // (So the fprintf/printf results are not checked one by one.)
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
        std::fprintf(stderr, "chorusctl: writing to standard output failed\n");
        return kExitFail;
    }
    return status;
}
