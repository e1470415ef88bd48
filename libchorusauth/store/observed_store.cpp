// SPDX-License-Identifier: BSD-2-Clause
#include "store/observed_store.hpp"

#include <time.h>

#include <string>

namespace chorus {
namespace {

std::int64_t monotonic_micros() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

class ObservedTxn : public UserTxn {
public:
    ObservedTxn(std::unique_ptr<UserTxn> inner, std::shared_ptr<const StoreObserver> observer,
                std::string_view user, std::int64_t started)
        : inner_(std::move(inner)), observer_(std::move(observer)), user_(user), started_(started) {}
    ObservedTxn(const ObservedTxn&) = delete;
    ObservedTxn& operator=(const ObservedTxn&) = delete;
    ~ObservedTxn() override {
        inner_.reset();  // the release is part of the operation
        if (observer_->latency) observer_->latency(monotonic_micros() - started_);
    }

    Result<std::optional<UserRecord>> record() override {
        auto r = inner_->record();
        if (r.ok() && !before_) before_ = *r;
        return r;
    }
    Result<LiveState> live() override { return inner_->live(); }
    Status put_record(const UserRecord& rec) override {
        const bool known = read_before();
        CHORUS_RETURN_IF_ERROR(inner_->put_record(rec));
        changed(known, rec);
        return {};
    }
    Status put_live(const LiveState& live) override { return inner_->put_live(live); }
    Status put_both(const UserRecord& rec, const LiveState& live) override {
        const bool known = read_before();
        CHORUS_RETURN_IF_ERROR(inner_->put_both(rec, live));
        changed(known, rec);
        return {};
    }
    Status erase() override {
        const bool known = read_before();
        CHORUS_RETURN_IF_ERROR(inner_->erase());
        changed(known, std::nullopt);
        return {};
    }

private:
    // The record as it was when this transaction first read it: the flows
    // read before they write, so this is normally no extra read.
    bool read_before() {
        if (before_) return true;
        auto r = inner_->record();
        if (!r.ok()) return false;
        before_ = *r;
        return true;
    }
    void changed(bool known, const std::optional<UserRecord>& after) {
        if (known && observer_->record_changed) observer_->record_changed(user_, *before_, after);
        before_ = after;  // a second put compares with the first
    }

    std::unique_ptr<UserTxn> inner_;
    std::shared_ptr<const StoreObserver> observer_;
    std::string user_;
    std::int64_t started_;
    std::optional<std::optional<UserRecord>> before_;  // outer: read yet; inner: the record or none
};

class ObservedStore : public Store {
public:
    ObservedStore(std::unique_ptr<Store> inner, StoreObserver observer)
        : inner_(std::move(inner)), observer_(std::make_shared<const StoreObserver>(std::move(observer))) {}

    Result<std::unique_ptr<UserTxn>> begin(std::string_view user) override {
        const std::int64_t started = monotonic_micros();
        auto txn = inner_->begin(user);
        if (!txn.ok()) {
            if (observer_->latency) observer_->latency(monotonic_micros() - started);
            return std::move(txn).error();
        }
        return std::unique_ptr<UserTxn>(
            std::make_unique<ObservedTxn>(std::move(txn).value(), observer_, user, started));
    }
    Result<std::vector<std::string>> list_users() override { return inner_->list_users(); }
    Result<std::optional<UserRecord>> peek_record(std::string_view user) override {
        const std::int64_t started = monotonic_micros();
        auto rec = inner_->peek_record(user);
        if (observer_->latency) observer_->latency(monotonic_micros() - started);
        return rec;
    }
    Status spend_like_a_write() override { return inner_->spend_like_a_write(); }
    std::int64_t clock_offset() const override { return inner_->clock_offset(); }

private:
    std::unique_ptr<Store> inner_;
    std::shared_ptr<const StoreObserver> observer_;
};

}  // namespace

std::unique_ptr<Store> observe_store(std::unique_ptr<Store> inner, StoreObserver observer) {
    return std::make_unique<ObservedStore>(std::move(inner), std::move(observer));
}

}  // namespace chorus
