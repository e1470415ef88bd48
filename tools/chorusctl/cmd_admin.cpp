// SPDX-License-Identifier: BSD-2-Clause
// chorusctl unlock, unenroll, set-phone, set-email, set-default, test-delivery.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <chorus/chorus_push.h>

#include "chorusctl/chorusctl.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// The person at the terminal answers the proof's questions (the admin
// sitting with the user, or the user reading the code out): plain lines.
int ask_stdin(void*, int, const char* prompt, char** answer) {
    std::fputs(prompt, stdout);
    std::fflush(stdout);
    char line[256];
    if (std::fgets(line, sizeof line, stdin) == nullptr) return 1;
    line[std::strcspn(line, "\r\n")] = '\0';
    *answer = ::strdup(line);
    return *answer == nullptr ? 1 : 0;
}

int show_stdout(void*, chorus_msg_kind kind, const char* text) {
    std::fprintf(kind == CHORUS_MSG_ERROR ? stderr : stdout, "%s\n", escape_text(text).c_str());
    return 0;
}

// set-phone and set-email: value "" removes the field. On a terminal a new
// value is proven first (a code read back, or a call answered with #) unless
// --no-prove or --proven (the admin vouches for it); otherwise, or when no
// channel is configured, it is stored as not proven and nothing is sent to it.
int set_contact(Globals& g, const char* name, int argc, char** argv, int first, bool phone) {
    chorus_tools::ParsedArgs pa;
    const std::vector<chorus_tools::OptSpec> extra =
        phone ? std::vector<chorus_tools::OptSpec>{{"alternate", ArgKind::flag},
                                                   {"prove-by", ArgKind::required},
                                                   {"no-prove", ArgKind::flag},
                                                   {"proven", ArgKind::flag}}
              : std::vector<chorus_tools::OptSpec>{{"no-prove", ArgKind::flag}, {"proven", ArgKind::flag}};
    if (!parse_command(g, *find_command(name), argc, argv, first, extra, 2, 2, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    const std::string value(pa.operands[1]);
    const char* which = !phone ? "email" : pa.has("alternate") ? "phone2" : "phone";
    std::string how;
    if (const auto* v = pa.last("prove-by")) how = std::string(*v->value);
    if (!how.empty() && how != "sms" && how != "call")
        return complain(kExitUsage, "--prove-by takes sms or call");
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const std::string u = escape_text(user);
    // --proven: the admin vouches for a contact proven another way.
    const bool vouched = pa.has("proven");
    const bool prove = !value.empty() && !vouched && !pa.has("no-prove") && ::isatty(STDIN_FILENO) == 1;
    int rc = CHORUS_ERR_UNSUPPORTED;
    if (prove) {
        const chorus_prompter terminal{nullptr, show_stdout, ask_stdin};
        rc = chorus_user_prove_contact(ctx.get(), user.c_str(), which, value.c_str(),
                                       how.empty() ? nullptr : how.c_str(), &terminal);
        if (rc != CHORUS_OK && rc != CHORUS_ERR_UNSUPPORTED)
            return fail(ctx.get(), std::string(name) + " " + u + " (not changed)", rc);
    }
    if (rc == CHORUS_ERR_UNSUPPORTED)
        rc = chorus_user_store_contact(ctx.get(), user.c_str(), which, value.c_str(), vouched ? 1 : 0);
    if (rc != CHORUS_OK) return fail(ctx.get(), std::string(name) + " " + u, rc);
    if (value.empty()) {
        std::printf("%s: %s removed\n", u.c_str(), which);
        return kExitOk;
    }
    // Show the stored (normalized) value and whether it is proven.
    chorus_tools::StatusH st;
    if (chorus_status_get(ctx.get(), user.c_str(), st.out()) != CHORUS_OK) {
        std::printf("%s: %s set\n", u.c_str(), which);
        return kExitOk;
    }
    const std::string_view w = which;
    const char* stored = w == "phone"    ? chorus_status_phone(st.get())
                         : w == "phone2" ? chorus_status_phone2(st.get())
                                         : chorus_status_email(st.get());
    const bool proven = chorus_status_contact_proven(st.get(), which) != 0;
    std::printf("%s: %s set to %s%s\n", u.c_str(), which, escape_text(stored).c_str(),
                proven ? " (proven)" : " (not proven: nothing is sent to it until it is)");
    return kExitOk;
}

}  // namespace

int cmd_set_default(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("set-default"), argc, argv, first, {}, 2, 2, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    const std::string method(pa.operands[1]);
    if (chorus_method_name_valid(method.c_str()) == 0)
        return complain(kExitUsage, "set-default takes app, sms, call, sms2 or call2");
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const int rc = chorus_user_set_default_method(ctx.get(), user.c_str(), method.c_str());
    if (rc != CHORUS_OK) return fail(ctx.get(), "set-default " + escape_text(user), rc);
    std::printf("%s: default method %s\n", escape_text(user).c_str(), method.c_str());
    return kExitOk;
}

int cmd_unlock(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("unlock"), argc, argv, first, {}, 1, 1, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    int rc = chorus_user_unlock(ctx.get(), user.c_str());
    if (rc != CHORUS_OK) return fail(ctx.get(), "unlock " + escape_text(user), rc);
    std::printf("unlocked %s\n", escape_text(user).c_str());
    return kExitOk;
}

int cmd_unenroll(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("unenroll"), argc, argv, first, {{"all", ArgKind::flag}}, 1, 1, pa))
        return kExitUsage;
    const std::string user(pa.operands[0]);
    const bool all = pa.has("all");
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    int rc = chorus_user_unenroll(ctx.get(), user.c_str(), all ? 1 : 0);
    if (rc != CHORUS_OK) return fail(ctx.get(), "unenroll " + escape_text(user), rc);
    std::printf("unenrolled %s%s\n", escape_text(user).c_str(),
                all ? " (all state removed, password history too)" : " (password history kept)");
    return kExitOk;
}

// blocklist compile IN OUT: the memory-mapped list that password.blocklist names.
int cmd_blocklist(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("blocklist"), argc, argv, first, {}, 3, 3, pa)) return kExitUsage;
    if (pa.operands[0] != "compile") return complain(kExitUsage, "blocklist: the only action is compile");
    const std::string in(pa.operands[1]);
    const std::string out(pa.operands[2]);
    chorus_tools::String message;
    int rc = chorus_blocklist_compile(in.c_str(), out.c_str(), message.out());
    if (rc != CHORUS_OK) {
        std::string detail = message ? " (" + escape_text(message.get()) + ")" : "";
        return complain(kExitFail, "blocklist compile: " + std::string(chorus_strerror(rc)) + detail);
    }
    std::printf("compiled %s into %s\n", escape_text(in).c_str(), escape_text(out).c_str());
    return kExitOk;
}

// push-key generate FILE: the site's signing key for push approval
// (push.key_file), made once and copied to every chorus-web host.
int cmd_push_key(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("push-key"), argc, argv, first, {}, 2, 2, pa)) return kExitUsage;
    if (pa.operands[0] != "generate") return complain(kExitUsage, "push-key: the only action is generate");
    const std::string path(pa.operands[1]);
    const int rc = chorus_push_key_generate(path.c_str());
    if (rc != CHORUS_OK)
        return complain(kExitFail, "push-key generate " + escape_text(path) + ": " + chorus_strerror(rc) +
                                       (rc == CHORUS_ERR_IO ? " (does it exist already?)" : ""));
    std::printf("made %s (RSA 4096, mode 0600); set push.key_file to it on each chorus-web host\n",
                escape_text(path).c_str());
    return kExitOk;
}

int cmd_set_phone(Globals& g, int argc, char** argv, int first) {
    return set_contact(g, "set-phone", argc, argv, first, true);
}

int cmd_set_email(Globals& g, int argc, char** argv, int first) {
    return set_contact(g, "set-email", argc, argv, first, false);
}

// test-delivery CHANNEL TO: one test message through chorus-deliver with the
// configuration's settings, the way a login would send a code.
int cmd_test_delivery(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("test-delivery"), argc, argv, first, {}, 2, 2, pa)) return kExitUsage;
    const std::string channel(pa.operands[0]);
    const std::string to(pa.operands[1]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const int rc = chorus_delivery_test(ctx.get(), channel.c_str(), to.c_str());
    if (rc != CHORUS_OK) return fail(ctx.get(), "test-delivery " + escape_text(channel), rc);
    std::printf("%s to %s: delivered\n", escape_text(channel).c_str(), escape_text(to).c_str());
    return kExitOk;
}

}  // namespace chorusctl
