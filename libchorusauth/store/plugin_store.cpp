// SPDX-License-Identifier: BSD-2-Clause
// The Store on a plugin's rows (store/plugin_abi.h). What makes a row a
// Chorus user stays here: encoded names as keys, the record format, and the
// TOTP key sealed with the fleet key (additional data: the key), so the
// plugin and the database see only sealed keys and salted hashes.
#include <algorithm>
#include <cstring>

#include "store/open_store.hpp"
#include "store/record_codec.hpp"
#include "store/record_keys.hpp"
#include "util/seal.hpp"

namespace chorus {

Error plugin_error(int rc, const chorus_store_msg& msg) {
    std::string text(msg.text, strnlen(msg.text, sizeof msg.text));
    if (text.empty()) text = "store plugin: failed (code " + std::to_string(rc) + ")";
    switch (rc) {
    case CHORUS_STORE_UNAVAILABLE:
        return make_error(Errc::unavailable, text);
    case CHORUS_STORE_REFUSED:
        return make_error(Errc::io, text);
    case CHORUS_STORE_BUSY:
        return make_error(Errc::busy, text);
    case CHORUS_STORE_CONFLICT:
        return make_error(Errc::conflict, text);
    case CHORUS_STORE_CONFIG:
        return make_error(Errc::config, text);
    case CHORUS_STORE_CORRUPT:
        return make_error(Errc::corrupt, text);
    case CHORUS_STORE_NO_MEMORY:
        return make_error(Errc::no_memory, text);
    case CHORUS_STORE_INVALID:
        return make_error(Errc::invalid_argument, text);
    default:
        return make_error(Errc::internal, text);  // CHORUS_STORE_OK is never passed here
    }
}

namespace {

// The plugin's handle, closed once the store and every transaction are gone.
struct Handle {
    const chorus_store_plugin& p;
    void* h = nullptr;
    SecretBytes seal_key;
    Handle(const chorus_store_plugin& plugin, SecretBytes key) : p(plugin), seal_key(std::move(key)) {}
    ~Handle() {
        if (h != nullptr) p.close(h);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
};

class PluginTxn final : public UserTxn {
public:
    PluginTxn(std::shared_ptr<Handle> hd, std::string key) : hd_(std::move(hd)), key_(std::move(key)) {}
    ~PluginTxn() override { hd_->p.end(hd_->h, key_.c_str()); }
    PluginTxn(const PluginTxn&) = delete;
    PluginTxn& operator=(const PluginTxn&) = delete;

    // Copies the row and gives the plugin's memory back (wiped).
    void take(chorus_store_row& row) {
        version_ = row.version;
        if (row.record != nullptr) record_.emplace(std::string_view(row.record));
        live_.last_step = row.live.last_step;
        live_.failures = row.live.failures;
        live_.first_failure_at = row.live.first_failure_at;
        live_.locked_until = row.live.locked_until;
        live_.last_success_at = row.live.last_success_at;
        live_.last_failure_at = row.live.last_failure_at;
        hd_->p.free_row(&row);
    }

    Result<std::optional<UserRecord>> record() override {
        if (!record_) return std::optional<UserRecord>{};
        CHORUS_ASSIGN_OR_RETURN(UserRecord rec, parse_record(record_->view()));
        if (Status st = open_keys(rec, hd_->seal_key, key_, true); !st.ok())
            return make_error(st.code(), "store: " + key_ + ": " + st.error().message);
        return std::optional<UserRecord>{std::move(rec)};
    }

    Result<LiveState> live() override { return live_; }

    Status put_record(const UserRecord& plain) override { return write(&plain, nullptr); }
    Status put_live(const LiveState& s) override { return write(nullptr, &s); }
    Status put_both(const UserRecord& rec, const LiveState& s) override { return write(&rec, &s); }

    Status erase() override {
        chorus_store_msg msg{};
        const int rc = hd_->p.erase(hd_->h, key_.c_str(), &msg);
        if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
        version_ = 0;
        record_.reset();
        live_ = LiveState{};
        return ok_status();
    }

private:
    // One plugin call: the record (its key sealed here), the counters, or both.
    Status write(const UserRecord* plain, const LiveState* s) {
        std::optional<SecretString> text;
        if (plain != nullptr) {
            UserRecord copy = *plain;
            CHORUS_RETURN_IF_ERROR(seal_keys(copy, hd_->seal_key, key_));
            CHORUS_ASSIGN_OR_RETURN(SecretString encoded, encode_record(copy));
            text.emplace(std::move(encoded));
        }
        chorus_store_live live{};
        if (s != nullptr)
            live = {s->last_step,    s->failures,        s->first_failure_at,
                    s->locked_until, s->last_success_at, s->last_failure_at};
        chorus_store_msg msg{};
        std::int64_t v = 0;
        const int rc = hd_->p.put(hd_->h, key_.c_str(), text ? text->c_str() : nullptr,
                                  s != nullptr ? &live : nullptr, version_, &v, &msg);
        if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
        version_ = v;
        if (text) record_ = std::move(text);
        if (s != nullptr) live_ = *s;
        return ok_status();
    }

    std::shared_ptr<Handle> hd_;
    std::string key_;
    std::int64_t version_ = 0;  // what the next put compares with; 0: insert
    std::optional<SecretString> record_;
    LiveState live_;
};

class PluginStore final : public Store {
public:
    explicit PluginStore(std::shared_ptr<Handle> hd) : hd_(std::move(hd)) {}

    Result<std::unique_ptr<UserTxn>> begin(std::string_view user) override {
        CHORUS_ASSIGN_OR_RETURN(std::string key, encode_username(user));
        chorus_store_row row{};
        chorus_store_msg msg{};
        const int rc = hd_->p.begin(hd_->h, key.c_str(), &row, &msg);
        if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
        auto txn = std::make_unique<PluginTxn>(hd_, std::move(key));  // ends the turn on every path from here
        txn->take(row);
        return std::unique_ptr<UserTxn>(std::move(txn));
    }

    Result<std::vector<std::string>> list_users() override {
        std::vector<std::string> users;
        chorus_store_msg msg{};
        auto each = [](void* arg, const char* key) -> int {
            auto name = decode_username(key);  // a row no name maps to is not a user
            if (name.ok()) static_cast<std::vector<std::string>*>(arg)->push_back(std::move(name).value());
            return 0;
        };
        const int rc = hd_->p.list(hd_->h, each, &users, &msg);
        if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
        std::sort(users.begin(), users.end());
        return users;
    }

    Status spend_like_a_write() override {
        chorus_store_msg msg{};
        const int rc = hd_->p.spend_like_a_write(hd_->h, &msg);
        if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
        return ok_status();
    }

    std::int64_t clock_offset() const override { return hd_->p.clock_offset(hd_->h); }

private:
    std::shared_ptr<Handle> hd_;
};

}  // namespace

Result<std::unique_ptr<Store>> open_plugin_store(const chorus_store_plugin& plugin,
                                                 const std::string& conninfo, const SecretBytes& seal_key) {
    if (seal_key.size() != kSealKeyBytes)
        return make_error(Errc::config, "the postgresql store needs store.seal_key_file (the fleet key)");
    auto hd = std::make_shared<Handle>(plugin, seal_key);
    chorus_store_msg msg{};
    const int rc = plugin.open(conninfo.c_str(), &hd->h, &msg);
    if (rc != CHORUS_STORE_OK) return plugin_error(rc, msg);
    if (hd->h == nullptr) return make_error(Errc::internal, "store plugin: open gave no handle");
    return std::unique_ptr<Store>(new PluginStore(std::move(hd)));
}

}  // namespace chorus
