// SPDX-License-Identifier: BSD-2-Clause
// chorusctl unlock, unenroll, set-phone, set-email, test-delivery.
#include <cstdio>
#include <string>

#include "chorusctl/chorusctl.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;

// set-phone and set-email: value "" removes the field.
int set_contact(Globals& g, const char* name, int argc, char** argv, int first, bool phone) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command(name), argc, argv, first, {}, 2, 2, pa)) return kExitUsage;
    const std::string user(pa.operands[0]);
    const std::string value(pa.operands[1]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const std::string u = escape_text(user);
    int rc = chorus_user_set_contact(ctx.get(), user.c_str(), phone ? value.c_str() : nullptr,
                                     phone ? nullptr : value.c_str());
    if (rc != CHORUS_OK) return fail(ctx.get(), std::string(name) + " " + u, rc);
    const char* field = phone ? "phone" : "email";
    if (value.empty()) {
        std::printf("%s: %s removed\n", u.c_str(), field);
        return kExitOk;
    }
    // Show the stored (normalized) value.
    chorus_tools::StatusH st;
    if (chorus_status_get(ctx.get(), user.c_str(), st.out()) == CHORUS_OK) {
        std::string v = escape_text(phone ? chorus_status_phone(st.get()) : chorus_status_email(st.get()));
        std::printf("%s: %s set to %s\n", u.c_str(), field, v.c_str());
    } else {
        std::printf("%s: %s set\n", u.c_str(), field);
    }
    return kExitOk;
}

}  // namespace

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
