// SPDX-License-Identifier: BSD-2-Clause
#include "flows/admin.hpp"

#include "flows/policy.hpp"

#include "flows/contact.hpp"
#include "flows/contact_proof.hpp"
#include "flows/events.hpp"
#include "flows/method.hpp"
#include "flows/verify.hpp"

namespace chorus {
namespace {

// The name as a shell word: the hint below is meant to be pasted into a root
// shell, and a user name may hold '$', ';' or quotes. A quote is closed,
// given as "'" and reopened: no backslash, which the tools escape when printing.
std::string shell_word(std::string_view s) {
    constexpr std::string_view kPlain =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@+,-";
    if (!s.empty() && s.find_first_not_of(kPlain) == std::string_view::npos) return std::string(s);
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
    return out + "'";
}

Error with_way_out(Error e, std::string_view user) {
    if (record_unreadable(e))
        e.message += "; remove the unreadable record with: chorusctl unenroll " + shell_word(user) + " --all";
    return e;
}

}  // namespace

bool record_unreadable(const Error& e) {
    // Not unsafe_file (a planted link or a wrong owner is for the admin to
    // look at, and is never removed for them) nor io/busy (transient).
    return e.code == Errc::corrupt || e.code == Errc::config;
}

Result<std::optional<UserRecord>> read_record(UserTxn& txn, std::string_view user) {
    auto rec = txn.record();
    if (!rec.ok()) return with_way_out(std::move(rec).error(), user);
    return rec;
}

Result<UserStatus> user_status(Context& ctx, std::string_view user) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, read_record(*txn, user));
    if (!rec) return make_error(Errc::not_found, "no state for this user");
    CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
    UserStatus st;
    st.has_method = rec->has_method();
    st.has_totp = rec->totp.has_value();
    if (rec->totp) st.params = rec->totp->params;
    st.recovery_left = static_cast<int>(rec->recovery.size());
    st.failures = live.failures;
    st.lock_remaining = lock_remaining(ctx, live);  // as a login would see it
    st.last_success_at = live.last_success_at;
    st.enrolled_at = rec->enrolled_at;
    st.phone = rec->phone;
    st.email = rec->email;
    st.phone2 = rec->phone2;
    st.phone_proven = rec->phone_proven_at > 0;
    st.email_proven = rec->email_proven_at > 0;
    st.phone2_proven = rec->phone2_proven_at > 0;
    st.default_method = rec->default_method;
    st.has_push = !rec->push_devices.empty();
    st.first_seen = rec->first_seen;
    // Grace runs from the first login without a method; the groups decide
    // who needs a method at all, as at login.
    if (!st.has_method && rec->first_seen > 0 && ctx.config.enrollment.policy == EnrollPolicy::grace) {
        auto acct = lookup_account(user);
        const std::vector<std::string> groups = acct.ok() ? acct->groups : std::vector<std::string>{};
        const UnenrolledVerdict v = unenrolled_verdict(ctx, groups, rec->first_seen);
        st.grace_left = v.obligation == Obligation::may_register    ? v.grace_left
                        : v.obligation == Obligation::must_register ? 0
                                                                    : -1;
    }
    return st;
}

Status user_unlock(Context& ctx, std::string_view user) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    // Only whether the user has state matters here: an unreadable record
    // still has a live state worth unlocking, and stays as it is.
    auto rec = txn->record();
    if (!rec.ok() && !record_unreadable(rec.error())) return std::move(rec).error();
    if (rec.ok() && !*rec) return make_error(Errc::not_found, "no state for this user");
    // A corrupt live record is replaced, not parsed: unlock is the way out of it.
    LiveState live;
    auto old = txn->live();
    if (old.ok()) live = *old;
    live.failures = 0;
    live.first_failure_at = 0;
    live.locked_until = 0;
    CHORUS_RETURN_IF_ERROR(txn->put_live(live));
    ctx.log.logf(LogLevel::notice, "unlocked %.*s", static_cast<int>(user.size()), user.data());
    Event unlocked;
    unlocked.kind = EventKind::unlock;
    unlocked.outcome = Outcome::success;
    unlocked.user = user;
    emit(ctx, unlocked);
    if (!rec.ok()) {
        Error e = with_way_out(std::move(rec).error(), user);
        ctx.log.logf(LogLevel::warning, "%.*s still cannot log in: %s", static_cast<int>(user.size()),
                     user.data(), e.message.c_str());
    }
    return {};
}

Status user_unenroll(Context& ctx, std::string_view user, bool all) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    auto read = txn->record();
    if (!read.ok() && all && record_unreadable(read.error())) {
        // The one way out of a record nothing can read (bit rot, a lost or
        // rotated seal key): erase() removes the user's state without
        // parsing it. Said loudly, since the history goes unread with it.
        CHORUS_RETURN_IF_ERROR(txn->erase());
        ctx.log.logf(LogLevel::warning, "unenrolled %.*s: removed an unreadable record (%s)",
                     static_cast<int>(user.size()), user.data(), read.error().message.c_str());
        return {};
    }
    if (!read.ok()) return with_way_out(std::move(read).error(), user);
    std::optional<UserRecord> rec = std::move(read).value();
    if (!rec) return make_error(Errc::not_found, "no state for this user");
    if (all || rec->history.empty()) {
        CHORUS_RETURN_IF_ERROR(txn->erase());
    } else {
        UserRecord kept;
        kept.history = std::move(rec->history);
        CHORUS_RETURN_IF_ERROR(txn->put_record(kept));
        CHORUS_RETURN_IF_ERROR(txn->put_live(LiveState{}));
    }
    ctx.log.logf(LogLevel::notice, "unenrolled %.*s", static_cast<int>(user.size()), user.data());
    return {};
}

Result<std::vector<std::string>> user_list(Context& ctx) {
    return ctx.store->list_users();
}

Status user_set_contact(Context& ctx, std::string_view user, std::optional<std::string_view> phone,
                        std::optional<std::string_view> email) {
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    // Both values are checked before either is stored.
    if (phone && !phone->empty()) CHORUS_RETURN_IF_ERROR(normalize_phone(*phone));
    if (email && !email->empty()) CHORUS_RETURN_IF_ERROR(normalize_email(*email));
    if (phone) CHORUS_RETURN_IF_ERROR(store_contact(ctx, user, ContactSlot::phone, *phone));
    if (email) CHORUS_RETURN_IF_ERROR(store_contact(ctx, user, ContactSlot::email, *email));
    return {};
}

}  // namespace chorus
