// SPDX-License-Identifier: BSD-2-Clause
#include "flows/policy.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace chorus {
namespace {

bool member_of_any(const std::vector<std::string>& mine, const std::vector<std::string>& listed) {
    return std::any_of(listed.begin(), listed.end(), [&](const std::string& g) {
        return std::find(mine.begin(), mine.end(), g) != mine.end();
    });
}

}  // namespace

namespace {

struct Passwd {
    std::string name;
    gid_t gid = 0;
};

// The account a typed name resolves to; nullopt when there is none.
Result<std::optional<Passwd>> find_passwd(std::string_view typed) {
    std::string user(typed);
    std::vector<char> buf(16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0)
        return make_error(Errc::io, "user lookup failed");
    if (found == nullptr || pw.pw_name == nullptr || *pw.pw_name == '\0') return std::optional<Passwd>{};
    return std::optional<Passwd>{Passwd{pw.pw_name, pw.pw_gid}};
}

}  // namespace

Result<Account> lookup_account(std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(std::optional<Passwd> pw, find_passwd(user));
    if (!pw) return make_error(Errc::not_found, "no such account");
    Account acct;
    acct.name = pw->name;
    int n = 64;
    std::vector<gid_t> gids(static_cast<std::size_t>(n));
    while (getgrouplist(acct.name.c_str(), pw->gid, gids.data(), &n) < 0) {
        if (n > 65536) return make_error(Errc::io, "too many groups");
        gids.resize(static_cast<std::size_t>(n));
    }
    gids.resize(static_cast<std::size_t>(n));
    std::vector<char> gbuf(16384);
    for (gid_t gid : gids) {
        struct group gr {};
        struct group* g = nullptr;
        // A group that can't be looked up is an error, not a group to skip:
        // skipping could drop a never_exempt group and exempt its member.
        if (getgrgid_r(gid, &gr, gbuf.data(), gbuf.size(), &g) != 0)
            return make_error(Errc::io, "group lookup failed");
        if (g != nullptr)
            acct.groups.emplace_back(g->gr_name);
        else
            acct.groups.emplace_back(std::to_string(gid));  // no name: keep it, as a number
    }
    return acct;
}

Result<std::string> canonical_name(std::string_view user) {
    CHORUS_ASSIGN_OR_RETURN(std::optional<Passwd> pw, find_passwd(user));
    return pw ? pw->name : std::string(user);
}

UnenrolledVerdict unenrolled_verdict(const Context& ctx, const std::vector<std::string>& groups,
                                     std::int64_t first_seen) {
    const EnrollmentConfig& ec = ctx.config.enrollment;
    UnenrolledVerdict v;
    const bool never_exempt = member_of_any(groups, ec.never_exempt_groups);
    if (!never_exempt) {
        if (!ec.require_groups.empty() && !member_of_any(groups, ec.require_groups)) {
            v.obligation = Obligation::exempt;
            return v;
        }
        if (member_of_any(groups, ec.exempt_groups)) {
            v.obligation = Obligation::exempt;
            return v;
        }
    }
    switch (ec.policy) {
    case EnrollPolicy::nullok:
        // never_exempt groups can't pass through unregistered even under nullok.
        v.obligation = never_exempt ? Obligation::must_register : Obligation::exempt;
        return v;
    case EnrollPolicy::optional:
        v.obligation = never_exempt ? Obligation::must_register : Obligation::may_register;
        return v;
    case EnrollPolicy::required:
        v.obligation = Obligation::must_register;
        return v;
    case EnrollPolicy::grace: {
        const std::int64_t now = ctx.now();
        const std::int64_t start = first_seen > 0 ? first_seen : now;
        std::int64_t deadline = 0;
        if (ec.grace_days > 0) deadline = start + static_cast<std::int64_t>(ec.grace_days) * 86400;
        if (ec.grace_until > 0 && (deadline == 0 || ec.grace_until < deadline)) deadline = ec.grace_until;
        if (!never_exempt && deadline > now) {
            v.obligation = Obligation::may_register;
            v.grace_left = deadline - now;
        } else {
            v.obligation = Obligation::must_register;
        }
        return v;
    }
    }
    return v;
}

}  // namespace chorus
