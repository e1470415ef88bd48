// SPDX-License-Identifier: BSD-2-Clause
// chorusctl report: what an admin rolling out MFA asks every day. Who has
// registered which methods, who is in grace and until when, who is locked
// out, and who logs in without a method, from the store (every host of a
// fleet store) in one pass. Never a secret.
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <chorus/chorus_push.h>

#include "chorusctl/chorusctl.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

namespace chorusctl {
namespace {

using chorus_tools::ArgKind;
using chorus_tools::escape_text;
using chorus_tools::json_string;

constexpr long long kWeek = 7LL * 86400;
constexpr long long kRecent = 30LL * 86400;  // "logged in recently" without a method

struct Totals {
    int users = 0;
    int registered = 0;
    int in_grace = 0;
    int grace_this_week = 0;
    int grace_over = 0;
    int locked = 0;
    std::vector<std::string> unregistered_recent;
};

std::string grace_text(long long left) {
    if (left < 0) return "-";
    if (left == 0) return "over";
    const long long days = (left + 86399) / 86400;
    return std::to_string(days) + (days == 1 ? " day left" : " days left");
}

void count(Totals& t, const std::string& user, const chorus_status_t* st, long long now) {
    ++t.users;
    const long long grace = chorus_status_grace_left(st);
    if (chorus_status_has_method(st) == 1) ++t.registered;
    if (grace > 0) ++t.in_grace;
    if (grace > 0 && grace <= kWeek) ++t.grace_this_week;
    if (grace == 0) ++t.grace_over;
    if (chorus_status_lock_remaining(st) > 0) ++t.locked;
    const long long seen = chorus_status_first_seen(st);
    if (chorus_status_has_method(st) != 1 && seen > 0 && now - seen <= kRecent)
        t.unregistered_recent.push_back(user);
}

void print_row(const std::string& user, const chorus_status_t* st) {
    char t[64];
    const long long lock = chorus_status_lock_remaining(st);
    std::string methods = methods_text(st);
    if (chorus_status_recovery_left(st) > 0)
        methods += " (" + std::to_string(chorus_status_recovery_left(st)) + " left)";
    const char* def = chorus_status_default_method(st);
    std::printf("%-20s %-36s %-7s %-24s %-8d %-10s %s\n", escape_text(user).c_str(), methods.c_str(),
                chorus_status_has_method(st) == 1 && *def != '\0' ? escape_text(def).c_str() : "-",
                chorus_tools::format_time(chorus_status_last_success(st), t, sizeof t),
                chorus_status_failures(st), lock > 0 ? (std::to_string(lock) + " s").c_str() : "-",
                grace_text(chorus_status_grace_left(st)).c_str());
}

void print_json_user(const std::string& user, const chorus_status_t* st, bool first) {
    std::printf(R"(%s{"user":%s,"methods":%s,"registered":%s,"default_method":%s,)", first ? "" : ",",
                json_string(user).c_str(), methods_json(st).c_str(),
                chorus_status_has_method(st) == 1 ? "true" : "false",
                json_string(chorus_status_default_method(st)).c_str());
    std::printf(R"("phone_proven":%s,"email_proven":%s,"recovery_codes_left":%d,)",
                chorus_status_contact_proven(st, "phone") ? "true" : "false",
                chorus_status_contact_proven(st, "email") ? "true" : "false",
                chorus_status_recovery_left(st));
    std::printf(
        "\"last_success\":%lld,\"failures\":%d,\"lock_remaining\":%lld,\"first_seen\":%lld,"
        "\"grace_left\":%lld}",
        chorus_status_last_success(st), chorus_status_failures(st), chorus_status_lock_remaining(st),
        chorus_status_first_seen(st), chorus_status_grace_left(st));
}

std::string summary(const Totals& t) {
    return std::to_string(t.registered) + " of " + std::to_string(t.users) + " users registered; " +
           std::to_string(t.in_grace) + " in grace, " + std::to_string(t.grace_this_week) +
           " ending this week; " + std::to_string(t.grace_over) + " past grace; " + std::to_string(t.locked) +
           " locked";
}

}  // namespace

int cmd_report(Globals& g, int argc, char** argv, int first) {
    chorus_tools::ParsedArgs pa;
    if (!parse_command(g, *find_command("report"), argc, argv, first, {{"json", ArgKind::flag}}, 0, 0, pa))
        return kExitUsage;
    const bool json = pa.has("json");
    chorus_tools::Ctx ctx;
    if (!open_ctx(g, ctx)) return kExitFail;
    const auto now = static_cast<long long>(std::time(nullptr));
    Totals t;
    if (json)
        std::printf("{\"users\":[");
    else
        std::printf("%-20s %-36s %-7s %-24s %-8s %-10s %s\n", "USER", "METHODS", "DEFAULT", "LAST LOGIN",
                    "FAILURES", "LOCKED", "GRACE");
    bool first_json = true;
    const int status =
        for_each_status(ctx.get(), "report", [&](const std::string& user, const chorus_status_t* st) {
            count(t, user, st, now);
            if (json)
                print_json_user(user, st, first_json);
            else
                print_row(user, st);
            first_json = false;
        });
    if (json) {
        std::printf(
            "],\"totals\":{\"users\":%d,\"registered\":%d,\"in_grace\":%d,\"grace_ending_this_week\":%d,"
            "\"past_grace\":%d,\"locked\":%d},\"unregistered_recent\":[",
            t.users, t.registered, t.in_grace, t.grace_this_week, t.grace_over, t.locked);
        for (size_t i = 0; i < t.unregistered_recent.size(); ++i)
            std::printf("%s%s", i == 0 ? "" : ",", json_string(t.unregistered_recent[i]).c_str());
        std::printf("],\"summary\":%s}\n", json_string(summary(t)).c_str());
        return status;
    }
    std::printf("\n%s\n", summary(t).c_str());
    if (!t.unregistered_recent.empty()) {
        std::printf("Seen at a login in the last 30 days without a method:");
        for (const auto& u : t.unregistered_recent) std::printf(" %s", escape_text(u).c_str());
        std::printf("\n");
    }
    return status;
}

}  // namespace chorusctl
