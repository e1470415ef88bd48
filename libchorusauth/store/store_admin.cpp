// SPDX-License-Identifier: BSD-2-Clause
#include "store/store_admin.hpp"

#include "store/open_store.hpp"

namespace chorus {
namespace {

// Copies one user; skips (returns false) a user the database already has.
Result<bool> copy_user(Store& from, Store& to, const std::string& user) {
    CHORUS_ASSIGN_OR_RETURN(auto src, from.begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, src->record());
    CHORUS_ASSIGN_OR_RETURN(LiveState live, src->live());
    if (!rec) return false;
    CHORUS_ASSIGN_OR_RETURN(auto dst, to.begin(user));
    CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> have, dst->record());
    if (have) return false;
    CHORUS_RETURN_IF_ERROR(dst->put_record(*rec));
    CHORUS_RETURN_IF_ERROR(dst->put_live(live));
    return true;
}

Status migrate_from_file(const StoreConfig& cfg, const chorus_store_plugin& plugin, StoreAdminOutcome& out) {
    StoreConfig file_cfg = cfg;
    file_cfg.backend = StoreBackend::file;
    auto from = open_store(file_cfg);
    if (!from.ok())
        return make_error(from.code(), "file store " + file_cfg.path + ": " + from.error().message);
    CHORUS_ASSIGN_OR_RETURN(SecretBytes key, load_seal_key(cfg.seal_key_file));
    CHORUS_ASSIGN_OR_RETURN(auto to, open_plugin_store(plugin, cfg.conninfo, key));
    CHORUS_ASSIGN_OR_RETURN(std::vector<std::string> users, (*from)->list_users());
    int copied = 0, skipped = 0, failed = 0;
    for (const std::string& u : users) {
        auto r = copy_user(**from, *to, u);
        if (!r.ok()) {
            ++failed;
            out.problems += u + ": " + r.error().message + "\n";
            if (r.code() == Errc::io || r.code() == Errc::unavailable || r.code() == Errc::config)
                break;  // the database, not this user
        } else if (*r) {
            ++copied;
        } else {
            ++skipped;
            out.problems += u + ": already in the database; left as it is\n";
        }
    }
    out.report += "copied " + std::to_string(copied) + " user(s) from " + file_cfg.path + " to postgresql; " +
                  std::to_string(skipped) + " skipped, " + std::to_string(failed) + " failed\n";
    if (failed != 0) return make_error(Errc::io, std::to_string(failed) + " user(s) not copied");
    return ok_status();
}

}  // namespace

StoreAdminOutcome store_admin(const Config& cfg, const std::string& plugin_path, const std::string& action) {
    StoreAdminOutcome out;
    const bool db = action == "init" || action == "migrate" || action == "status";
    if (!db && action != "migrate-from-file") {
        out.status = make_error(Errc::invalid_argument, "unknown store action");
        return out;
    }
    if (cfg.store.backend != StoreBackend::postgresql) {
        out.status = make_error(Errc::config, cfg.source + ": store.backend is not postgresql");
        return out;
    }
    auto plugin = load_store_plugin(!plugin_path.empty() ? plugin_path : cfg.store.plugin);
    if (!plugin.ok()) {
        out.status = std::move(plugin).error();
        return out;
    }
    if (!db) {
        out.status = migrate_from_file(cfg.store, **plugin, out);
        return out;
    }
    char* report = nullptr;
    chorus_store_msg msg{};
    const int rc = (*plugin)->admin(cfg.store.conninfo.c_str(), action.c_str(), &report, &msg);
    if (report != nullptr) {
        out.report = report;
        (*plugin)->free_text(report);
    }
    out.status = rc == CHORUS_STORE_OK ? ok_status() : Status(plugin_error(rc, msg));
    return out;
}

}  // namespace chorus
