// SPDX-License-Identifier: BSD-2-Clause
#include "flows/apps.hpp"

#include "flows/admin.hpp"
#include "flows/retry.hpp"

namespace chorus {
namespace {

std::vector<std::string_view> names_of(const UserRecord& rec) {
    std::vector<std::string_view> names;
    if (rec.totp) names.emplace_back(rec.totp_name);
    for (const AppKey& a : rec.more_apps) names.emplace_back(a.name);
    return names;
}

// The position of `which` (a name, or a number from 1) among rec's apps.
Result<std::size_t> find_app(const UserRecord& rec, std::string_view which) {
    const auto names = names_of(rec);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (!names[i].empty() && names[i] == which) return i;
    if (!which.empty() && which.size() <= 2 &&
        which.find_first_not_of("0123456789") == std::string_view::npos && which.front() != '0') {
        const std::size_t n = std::stoul(std::string(which));
        if (n >= 1 && n <= names.size()) return n - 1;
    }
    return make_error(Errc::not_found, "no authenticator app " + std::string(which));
}

// One read-modify-write of a user's record and live state.
template <typename Change>
Status change_record(Context& ctx, std::string_view user, Change change) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    return retry_on_conflict([&]() -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, read_record(*txn, user));
        if (!rec || !rec->totp) return make_error(Errc::not_found, "no authenticator app registered");
        return change(*txn, *rec);
    });
}

}  // namespace

Status check_app_name(const UserRecord& rec, std::string_view name) {
    if (name.empty() || name.size() > kMaxAppNameBytes || name.front() == ' ' || name.back() == ' ')
        return make_error(Errc::invalid_argument,
                          "an app name is 1 to 64 characters, without spaces at the ends");
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f)
            return make_error(Errc::invalid_argument, "an app name has no control characters");
    if (name.find_first_not_of("0123456789") == std::string_view::npos)
        return make_error(Errc::invalid_argument,
                          "an app name is not a number (numbers pick apps by position)");
    for (std::string_view taken : names_of(rec))
        if (taken == name)
            return make_error(Errc::invalid_argument, "another app is called " + std::string(name));
    return ok_status();
}

Result<std::string> name_for_new_app(const UserRecord& rec, std::string_view wanted) {
    if (rec.app_count() >= kMaxApps)
        return make_error(Errc::invalid_argument,
                          "at most " + std::to_string(kMaxApps) + " authenticator apps; remove one first");
    if (!wanted.empty()) {
        CHORUS_RETURN_IF_ERROR(check_app_name(rec, wanted));
        return std::string(wanted);
    }
    for (std::size_t n = rec.app_count() + 1;; ++n) {
        std::string name = "app " + std::to_string(n);
        if (check_app_name(rec, name).ok()) return name;
    }
}

Result<std::vector<AppSummary>> list_apps(Context& ctx, std::string_view user) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, read_record(*txn, user));
    if (!rec) return make_error(Errc::not_found, "no state for this user");
    std::vector<AppSummary> apps;
    if (rec->totp) apps.push_back({rec->totp_name, rec->totp->params});
    for (const AppKey& a : rec->more_apps) apps.push_back({a.name, a.key.params});
    return apps;
}

Status rename_app(Context& ctx, std::string_view user, std::string_view which, std::string_view new_name) {
    return change_record(ctx, user, [&](UserTxn& txn, UserRecord& rec) -> Status {
        CHORUS_ASSIGN_OR_RETURN(std::size_t i, find_app(rec, which));
        std::string& name = i == 0 ? rec.totp_name : rec.more_apps[i - 1].name;
        if (name == new_name) return ok_status();
        CHORUS_RETURN_IF_ERROR(check_app_name(rec, new_name));
        name = std::string(new_name);
        return txn.put_record(rec);
    });
}

Status remove_app(Context& ctx, std::string_view user, std::string_view which) {
    CHORUS_RETURN_IF_ERROR(change_record(ctx, user, [&](UserTxn& txn, UserRecord& rec) -> Status {
        CHORUS_ASSIGN_OR_RETURN(std::size_t i, find_app(rec, which));
        if (i > 0) {
            rec.more_apps.erase(rec.more_apps.begin() + static_cast<std::ptrdiff_t>(i - 1));
            return txn.put_record(rec);
        }
        if (rec.more_apps.empty()) {
            if (rec.recovery.empty())
                return make_error(Errc::permission,
                                  "the app is your only method: register another first, or ask an admin to "
                                  "unenroll you");
            rec.totp.reset();
            rec.totp_name.clear();
            return txn.put_record(rec);
        }
        // The next app becomes the first: its step moves to the live state,
        // in the same write as the record.
        CHORUS_ASSIGN_OR_RETURN(LiveState live, txn.live());
        AppKey next = std::move(rec.more_apps.front());
        rec.more_apps.erase(rec.more_apps.begin());
        rec.totp = std::move(next.key);
        rec.totp_name = std::move(next.name);
        live.last_step = next.last_step;
        return txn.put_both(rec, live);
    }));
    ctx.log.logf(LogLevel::notice, "authenticator app %.*s removed for %.*s", static_cast<int>(which.size()),
                 which.data(), static_cast<int>(user.size()), user.data());
    return {};
}

}  // namespace chorus
