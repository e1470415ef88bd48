// SPDX-License-Identifier: BSD-2-Clause
// chorus-enroll: a user's own "Security info" page on Linux. Installed
// setuid root; acts on the account of its REAL uid (root may name another
// with --user). Reads like a table of contents: harden, parse, check who may
// do what, prove identity, act. See chorus-enroll(1).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chorus-enroll/enroll.hpp"
#include "chorus-enroll/image_writer.hpp"
#include "chorus-enroll/png.hpp"
#include "chorus-enroll/terminal.hpp"
#include "common/args.hpp"
#include "common/handles.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

#ifndef CHORUS_VERSION
#define CHORUS_VERSION "unknown"
#endif

namespace chorus_enroll {

int fail(const chorus_ctx_t* ctx, const std::string& what, int rc) {
    const char* detail = ctx != nullptr ? chorus_ctx_last_error(ctx) : "";
    if (detail != nullptr && *detail != '\0')
        std::fprintf(stderr, "%s: %s: %s (%s)\n", kProg, what.c_str(), chorus_strerror(rc),
                     chorus_tools::escape_text(detail, false).c_str());
    else
        std::fprintf(stderr, "%s: %s: %s\n", kProg, what.c_str(), chorus_strerror(rc));
    return kExitFail;
}

int complain(int code, const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", kProg, message.c_str());
    return code;
}

namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

const std::vector<chorus_tools::OptSpec> kSpecs = {{"list", ArgKind::flag},
                                                   {"app", ArgKind::flag},
                                                   {"qr", ArgKind::required},
                                                   {"qr-svg", ArgKind::required},
                                                   {"qr-png", ArgKind::required},
                                                   {"phone", ArgKind::required},
                                                   {"email", ArgKind::required},
                                                   {"remove", ArgKind::required},
                                                   {"default", ArgKind::required},
                                                   {"recovery-codes", ArgKind::flag},
                                                   {"user", ArgKind::required},
                                                   {"config", ArgKind::required},
                                                   {"help", ArgKind::flag},
                                                   {"version", ArgKind::flag},
                                                   {"alternate-phone", ArgKind::required},
                                                   {"prove-by", ArgKind::required},
                                                   {"add-app", ArgKind::flag},
                                                   {"name", ArgKind::required},
                                                   {"rename-app", ArgKind::required},
                                                   {"remove-app", ArgKind::required},
                                                   {"push", ArgKind::flag}};

void print_usage(std::FILE* out) {
    std::fprintf(out,
                 "Usage: chorus-enroll [--list]\n"
                 "       chorus-enroll --app|--add-app [--name NAME] [--qr=utf8|ansi|ascii|none]\n"
                 "                     [--qr-svg FILE] [--qr-png FILE]\n"
                 "       chorus-enroll --rename-app APP --name NAME | --remove-app APP\n"
                 "       chorus-enroll --push [--qr=utf8|ansi|ascii|none]\n"
                 "       chorus-enroll [--phone NUMBER] [--alternate-phone NUMBER] [--email ADDRESS]\n"
                 "                     [--prove-by sms|call]\n"
                 "       chorus-enroll --remove app|phone|phone2|email|recovery|push\n"
                 "       chorus-enroll --default app|sms|call|sms2|call2|push\n"
                 "       chorus-enroll --recovery-codes\n"
                 "       chorus-enroll --help | --version\n"
                 "Root only: --user NAME (act on another account), --config FILE.\n"
                 "Without an option: shows your security info and, when nothing is registered,\n"
                 "walks you through registration. Changes need your password and, once\n"
                 "registered, a current second factor. See chorus-enroll(1).\n");
}

// Fills o from the parsed words; returns kExitOk or a usage error (printed).
int parse_options(const chorus_tools::ParsedArgs& pa, Options& o) {
    if (!pa.operands.empty())
        return complain(kExitUsage, "unexpected argument " + escape_text(pa.operands[0]));
    int actions = 0;
    auto pick = [&](Action a) { o.action = a, ++actions; };
    if (pa.has("list")) pick(Action::list);
    if (pa.has("app") || pa.has("add-app") || pa.has("qr-svg") || pa.has("qr-png")) pick(Action::app);
    if (pa.has("app") && pa.has("add-app"))
        return complain(kExitUsage, "--app replaces, --add-app adds: choose one");
    o.add_app = pa.has("add-app");
    if (const auto* r = pa.last("rename-app")) pick(Action::rename_app), o.app = std::string(*r->value);
    if (const auto* r = pa.last("remove-app")) pick(Action::remove_app), o.app = std::string(*r->value);
    if (const auto* v = pa.last("name")) {
        if (!o.add_app && o.action != Action::rename_app)
            return complain(kExitUsage, "--name goes with --add-app or --rename-app");
        o.app_name = v->value->data();
    }
    if (o.action == Action::rename_app && o.app_name == nullptr)
        return complain(kExitUsage, "--rename-app needs --name NEW-NAME");
    if (pa.has("phone") || pa.has("alternate-phone") || pa.has("email")) pick(Action::contact);
    if (const auto* r = pa.last("remove")) pick(Action::remove), o.method = std::string(*r->value);
    if (const auto* d = pa.last("default")) pick(Action::set_default), o.method = std::string(*d->value);
    if (pa.has("recovery-codes")) pick(Action::recovery);
    if (pa.has("push")) pick(Action::push);
    if (actions > 1)
        return complain(
            kExitUsage,
            "choose one of --list, --app/--add-app, --push, --phone/--alternate-phone/--email, --remove, "
            "--default, --recovery-codes, --rename-app, --remove-app");
    // The library's name tables decide (chorus_*_name_valid).
    if (o.action == Action::remove && chorus_registration_name_valid(o.method.c_str()) == 0)
        return complain(kExitUsage, "--remove takes app, phone, phone2, email, recovery or push");
    if (o.action == Action::set_default && chorus_method_name_valid(o.method.c_str()) == 0)
        return complain(kExitUsage, "--default takes app, sms, call, sms2, call2 or push");
    if (const auto* v = pa.last("prove-by")) {
        if (*v->value != "sms" && *v->value != "call")
            return complain(kExitUsage, "--prove-by takes sms or call");
        if (o.action != Action::contact || (!pa.has("phone") && !pa.has("alternate-phone")))
            return complain(kExitUsage, "--prove-by goes with --phone or --alternate-phone");
        o.prove_by = v->value->data();
    }
    if (const auto* q = pa.last("qr")) {
        const std::string_view v = *q->value;
        o.qr_given = true;
        if (v == "utf8")
            o.qr = CHORUS_QR_UTF8;
        else if (v == "ansi")
            o.qr = CHORUS_QR_ANSI;
        else if (v == "ascii")
            o.qr = CHORUS_QR_ASCII;
        else if (v == "none")
            o.qr_none = true;
        else
            return complain(kExitUsage, "--qr takes utf8, ansi, ascii or none");
        if (o.action != Action::app && o.action != Action::info_or_register && o.action != Action::push)
            return complain(kExitUsage, "--qr goes with --app, --add-app or --push");
    }
    for (const char* name : {"qr-svg", "qr-png", "phone", "alternate-phone", "email", "user", "config"})
        if (const auto* v = pa.last(name); v != nullptr && v->value->empty())
            return complain(kExitUsage,
                            std::string("--") + name + " needs a value" +
                                (std::strcmp(name, "phone") == 0 || std::strcmp(name, "email") == 0 ||
                                         std::strcmp(name, "alternate-phone") == 0
                                     ? " (to remove one, use --remove)"
                                     : ""));
    // Values point into argv, which outlives everything: NUL-terminated.
    if (const auto* v = pa.last("qr-svg")) o.qr_svg = v->value->data();
    if (const auto* v = pa.last("qr-png")) o.qr_png = v->value->data();
    if (const auto* v = pa.last("phone")) o.phone = v->value->data();
    if (const auto* v = pa.last("alternate-phone")) o.phone2 = v->value->data();
    if (const auto* v = pa.last("email")) o.email = v->value->data();
    if (const auto* v = pa.last("config")) o.config = v->value->data();
    if (const auto* v = pa.last("user")) o.user = std::string(*v->value);
    if (o.qr_png != nullptr && !png_supported())
        return complain(kExitUsage, "--qr-png: this build has no PNG support (zlib); use --qr-svg");
    return kExitOk;
}

// Root-only options, judged by the REAL uid: a setuid copy must not let a
// user act on someone else or point the library at their own config.
int check_rights(const chorus_tools::ParsedArgs& pa, const Invoker& inv) {
    if (inv.uid == 0) return kExitOk;
    if (pa.has("user"))
        return complain(kExitFail, "--user is for root only; you can change only your own security info");
    if (pa.has("config")) return complain(kExitFail, "--config is for root only");
    return kExitOk;
}

bool changes_methods(Action a) {
    return a != Action::list && a != Action::info_or_register;
}

int run(const Session& s, std::vector<ImageWriter*>& writers) {
    Methods m;
    if (read_methods(s, m) != kExitOk) return kExitFail;
    const Action a = s.opts.action;
    if (a == Action::list || (a == Action::info_or_register && m.has_method)) {
        print_security_info(s, m);
        return kExitOk;
    }
    if (a == Action::info_or_register) {
        print_security_info(s, m);
        std::printf("\nLet's register your authenticator app now.\n");
    }
    if (changes_methods(a) && a != Action::app && a != Action::contact && a != Action::push && !m.has_method)
        return complain(kExitFail, "nothing is registered yet: run chorus-enroll --app first");
    if (prove_identity(s, m.has_method) != kExitOk) return kExitFail;
    switch (a) {
    case Action::info_or_register:
    case Action::app:
        // Adding goes through the tool's own steps, which know the app's name.
        return writers.empty() && !s.opts.add_app ? do_register_app(s, m)
                                                  : register_app_with_files(s, m, writers);
    case Action::rename_app:
        return do_rename_app(s);
    case Action::remove_app:
        return do_remove_app(s);
    case Action::contact:
        return do_contact(s);
    case Action::remove:
        return do_remove(s);
    case Action::set_default:
        return do_set_default(s);
    case Action::recovery:
        return do_recovery_codes(s);
    case Action::push:
        return do_register_push(s);
    case Action::list:
        break;
    }
    return kExitOk;
}

}  // namespace
}  // namespace chorus_enroll

int main(int argc, char** argv) {
    using namespace chorus_enroll;
    harden_process();  // before anything can print
    // argc == 0: argv[1...] would be the environment (CVE-2021-4034). Newer
    // kernels pass argv = {"", NULL} instead; refuse that too.
    if (argc < 1 || argv == nullptr || argv[0] == nullptr || argv[0][0] == '\0')
        return complain(kExitUsage, "called without a program name");
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    install_terminal_signal_handlers();
    const auto pa = chorus_tools::parse_args(argc, argv, 1, kSpecs);
    if (!pa.error.empty()) {
        std::fprintf(stderr, "%s: %s\n", kProg, pa.error.c_str());
        print_usage(stderr);
        return kExitUsage;
    }
    if (pa.has("help")) return print_usage(stdout), kExitOk;
    if (pa.has("version")) return std::printf("chorus-enroll %s\n", CHORUS_VERSION), kExitOk;
    Options opts;
    if (int r = parse_options(pa, opts); r != kExitOk) return r;
    Invoker inv;
    if (!capture_invoker(inv)) return complain(kExitFail, "your user id has no account name");
    if (int r = check_rights(pa, inv); r != kExitOk) return r;
    if (opts.user.empty()) opts.user = inv.name;

    // Image writers first: their children should not inherit the configuration.
    std::vector<std::unique_ptr<ImageWriter>> owned;
    std::vector<ImageWriter*> writers;
    if (opts.qr_svg != nullptr)
        owned.push_back(std::make_unique<ImageWriter>(opts.qr_svg, ImageWriter::Kind::svg));
    if (opts.qr_png != nullptr)
        owned.push_back(std::make_unique<ImageWriter>(opts.qr_png, ImageWriter::Kind::png));
    for (auto& w : owned) {
        if (!w->start(inv)) return kExitFail;
        writers.push_back(w.get());
    }

    chorus_tools::LogSink sink{kProg, false};
    chorus_tools::Ctx ctx;
    const int rc = chorus_ctx_new(ctx.out(), opts.config, chorus_tools::stderr_log, &sink, 0);
    if (rc != CHORUS_OK)
        return fail(
            nullptr,
            "cannot open " + (opts.config ? escape_text(opts.config) : std::string("the configuration")), rc);
    const Session s{ctx.get(), inv, opts, terminal_prompter()};
    int status = run(s, writers);
    if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
        std::fprintf(stderr, "%s: writing to standard output failed\n", kProg);
        status = kExitFail;
    }
    return status;
}
