// SPDX-License-Identifier: BSD-2-Clause
// chorusctl status, list: what is stored for users, never a secret.
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include <chorus/chorus_push.h>

#include "chorusctl/chorusctl.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;
using chorus_tools::json_string;

std::string contact_of(const chorus_status_t* st, std::string_view which) {
    if (which == "phone") return chorus_status_phone(st);
    if (which == "phone2") return chorus_status_phone2(st);
    return chorus_status_email(st);
}

void print_status_text(const std::string& user, const chorus_status_t* st) {
    char t1[64];
    char t2[64];
    std::printf("user:            %s\n", escape_text(user).c_str());
    std::printf("methods:         %s\n", methods_text(st).c_str());
    if (chorus_status_has_totp(st))
        std::printf("totp:            %s, %d digits, %d s period\n",
                    escape_text(chorus_status_algorithm(st)).c_str(), chorus_status_digits(st),
                    chorus_status_period(st));
    else
        std::printf("totp:            not registered\n");
    std::printf("recovery codes:  %d left\n", chorus_status_recovery_left(st));
    for (const char* which : {"phone", "phone2", "email"}) {
        const std::string value = contact_of(st, which);
        const std::string label = std::string(which) + ":";
        std::printf("%-17s%s%s\n", label.c_str(), value.empty() ? "-" : escape_text(value).c_str(),
                    value.empty() || chorus_status_contact_proven(st, which) ? "" : " (not proven)");
    }
    const char* def = chorus_status_default_method(st);
    std::printf("default method:  %s\n", *def != '\0' ? escape_text(def).c_str() : "-");
    std::printf("failures:        %d\n", chorus_status_failures(st));
    const long long lock = chorus_status_lock_remaining(st);
    if (lock > 0)
        std::printf("locked:          yes, %lld s remaining\n", lock);
    else
        std::printf("locked:          no\n");
    std::printf("last success:    %s\n",
                chorus_tools::format_time(chorus_status_last_success(st), t1, sizeof t1));
    std::printf("enrolled at:     %s\n",
                chorus_tools::format_time(chorus_status_enrolled_at(st), t2, sizeof t2));
}

void print_status_json(const std::string& user, const chorus_status_t* st) {
    std::printf("{\"user\":%s,\"methods\":%s,", json_string(user).c_str(), methods_json(st).c_str());
    if (chorus_status_has_totp(st))
        std::printf("\"totp\":{\"algorithm\":%s,\"digits\":%d,\"period\":%d},",
                    json_string(chorus_status_algorithm(st)).c_str(), chorus_status_digits(st),
                    chorus_status_period(st));
    else
        std::printf("\"totp\":null,");
    std::printf("\"recovery_codes_left\":%d,", chorus_status_recovery_left(st));
    for (const char* which : {"phone", "phone2", "email"})
        std::printf("\"%s\":%s,\"%s_proven\":%s,", which, json_string(contact_of(st, which)).c_str(), which,
                    chorus_status_contact_proven(st, which) ? "true" : "false");
    std::printf("\"default_method\":%s,", json_string(chorus_status_default_method(st)).c_str());
    std::printf(
        "\"failures\":%d,\"locked\":%s,\"lock_remaining\":%lld,\"last_success\":%lld,\"enrolled_at\":%lld}\n",
        chorus_status_failures(st), chorus_status_lock_remaining(st) > 0 ? "true" : "false",
        chorus_status_lock_remaining(st), chorus_status_last_success(st), chorus_status_enrolled_at(st));
}

// One short line: "alice  app, recovery codes (9 left)  locked 120 s".
void print_list_line(const std::string& user, const chorus_status_t* st) {
    std::string line = escape_text(user) + "\t" + methods_text(st);
    if (chorus_status_recovery_left(st) > 0)
        line += " (" + std::to_string(chorus_status_recovery_left(st)) + " codes left)";
    if (chorus_status_lock_remaining(st) > 0)
        line += "\tLOCKED " + std::to_string(chorus_status_lock_remaining(st)) + " s";
    else if (chorus_status_failures(st) > 0)
        line += "\t" + std::to_string(chorus_status_failures(st)) + " failures";
    std::printf("%s\n", line.c_str());
}

}  // namespace

// The methods a login can use: "app, phone, recovery codes" / "none".
std::string methods_text(const chorus_status_t* st) {
    std::string m;
    auto add = [&m](const char* s) {
        if (!m.empty()) m += ", ";
        m += s;
    };
    if (chorus_status_has_totp(st)) add("app");
    if (chorus_status_contact_proven(st, "phone")) add("phone");
    if (chorus_status_contact_proven(st, "phone2")) add("alternate phone");
    if (chorus_status_recovery_left(st) > 0) add("recovery codes");
    if (chorus_status_has_push(st)) add("push");
    return m.empty() ? "none" : m;
}

std::string methods_json(const chorus_status_t* st) {
    std::string m = "[";
    auto add = [&m](const char* s) {
        if (m.size() > 1) m += ",";
        m += json_string(s);
    };
    if (chorus_status_has_totp(st)) add("app");
    if (chorus_status_contact_proven(st, "phone")) add("phone");
    if (chorus_status_contact_proven(st, "phone2")) add("phone2");
    if (chorus_status_recovery_left(st) > 0) add("recovery");
    if (chorus_status_has_push(st)) add("push");
    return m + "]";
}

int cmd_status(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("status"), argc, argv, first, {{"json", ArgKind::flag}}, 1, 1, pa))
        return kExitUsage;
    const std::string user(pa.operands[0]);
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    chorus_tools::StatusH st;
    int rc = chorus_status_get(ctx.get(), user.c_str(), st.out());
    if (rc != CHORUS_OK) return fail(ctx.get(), "status " + escape_text(user), rc);
    if (pa.has("json"))
        print_status_json(user, st.get());
    else
        print_status_text(user, st.get());
    return kExitOk;
}

int for_each_status(chorus_ctx_t* ctx, const std::string& what,
                    const std::function<void(const std::string&, const chorus_status_t*)>& each) {
    chorus_tools::Strings users;
    int rc = chorus_user_list(ctx, users.out(), users.count_out());
    if (rc != CHORUS_OK) return fail(ctx, what, rc);
    int status = kExitOk;
    for (size_t i = 0; i < users.size(); ++i) {
        const std::string user = users[i];
        chorus_tools::StatusH st;
        rc = chorus_status_get(ctx, user.c_str(), st.out());
        if (rc != CHORUS_OK) {
            // Report and go on: one broken record must not hide the others.
            status = fail(ctx, "status " + escape_text(user), rc);
            continue;
        }
        each(user, st.get());
    }
    return status;
}

int cmd_list(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("list"), argc, argv, first, {{"json", ArgKind::flag}}, 0, 0, pa))
        return kExitUsage;
    const bool json = pa.has("json");
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    bool first_json = true;
    if (json) std::printf("[");
    const int status =
        for_each_status(ctx.get(), "list", [&](const std::string& user, const chorus_status_t* st) {
            if (json) {
                if (!first_json) std::printf(",");
                first_json = false;
                print_status_json(user, st);
            } else {
                print_list_line(user, st);
            }
        });
    if (json) std::printf("]\n");
    return status;
}

}  // namespace chorusctl
