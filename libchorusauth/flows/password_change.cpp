// SPDX-License-Identifier: BSD-2-Clause
#include "flows/password_change.hpp"

#include "flows/policy.hpp"
#include "password/history.hpp"

namespace chorus {
namespace {

Status ensure_blocklist(Context& ctx) {
    if (ctx.blocklist_loaded || ctx.config.password.blocklist.empty()) return {};
    auto bl = Blocklist::open(ctx.config.password.blocklist);
    if (!bl.ok())
        return make_error(Errc::config,
                          "blocklist " + ctx.config.password.blocklist + ": " + bl.error().message);
    ctx.blocklist.emplace(std::move(bl).value());
    ctx.blocklist_loaded = true;
    return {};
}

}  // namespace

Result<Checklist> password_checklist(Context& ctx, std::string_view typed, std::string_view gecos,
                                     std::string_view candidate, PasswordMode mode) {
    std::string user;  // the account's own name: the history is keyed on it (see Account::name)
    if (!typed.empty()) {
        CHORUS_ASSIGN_OR_RETURN(user, canonical_name(typed));
    }
    CHORUS_RETURN_IF_ERROR(ensure_blocklist(ctx));
    const Blocklist* bl = ctx.blocklist ? &*ctx.blocklist : nullptr;
    Checklist cl = check_password(ctx.config.password, candidate, PasswordSubject{user, gecos}, bl);

    const HistoryConfig& hc = ctx.config.password.history;
    const bool reset = mode == PasswordMode::reset;
    if (user.empty() || !history_rule_applies(hc, reset)) return cl;
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
    bool reused = false;
    if (rec && !rec->history.empty()) {
        CHORUS_ASSIGN_OR_RETURN(reused, history_contains(rec->history, candidate, hc, reset));
    }
    add_history_rule(cl, hc, reset, reused);
    return cl;
}

Status password_record(Context& ctx, std::string_view typed, std::string_view password) {
    const HistoryConfig& hc = ctx.config.password.history;
    if (hc.remember <= 0) return {};
    CHORUS_ASSIGN_OR_RETURN(std::string user, canonical_name(typed));  // as login_password reads it
    CHORUS_RETURN_IF_ERROR(encode_username(user));
    CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> existing, txn->record());
    UserRecord rec = existing ? std::move(*existing) : UserRecord{};
    CHORUS_ASSIGN_OR_RETURN(rec.history, history_push(std::move(rec.history), password, hc));
    return txn->put_record(rec);
}

}  // namespace chorus
