// SPDX-License-Identifier: BSD-2-Clause
// flows/retry: a write that loses its compare-and-set to another host
// (Errc::conflict) makes the check begin again on what is now stored, at
// most kConflictAttempts times; then the login is refused as busy. Each
// attempt's decision is made afresh, so a code accepted elsewhere meanwhile
// becomes a replay and a failure counted elsewhere is counted on top.
#include <functional>

#include "flow_fixture.hpp"
#include "flows/retry.hpp"
#include "flows/verify.hpp"

using chorus::Errc;
using chorus::Result;
using chorus_test::FlowFixture;

namespace {

// A store whose next `conflicts` writes lose, as if another host had written
// first; before each lost write `meanwhile` runs (the other host's write).
class ContendedStore final : public chorus::Store {
public:
    explicit ContendedStore(std::unique_ptr<chorus::Store> inner) : inner_(std::move(inner)) {}
    int conflicts = 0;
    int writes_lost = 0;
    std::function<void()> meanwhile;

    Result<std::unique_ptr<chorus::UserTxn>> begin(std::string_view user) override {
        CHORUS_ASSIGN_OR_RETURN(auto txn, inner_->begin(user));
        return std::unique_ptr<chorus::UserTxn>(new Txn(*this, std::move(txn)));
    }
    Result<std::vector<std::string>> list_users() override { return inner_->list_users(); }
    chorus::Store& inner() { return *inner_; }

private:
    class Txn final : public chorus::UserTxn {
    public:
        Txn(ContendedStore& s, std::unique_ptr<chorus::UserTxn> t) : s_(s), t_(std::move(t)) {}
        Result<std::optional<chorus::UserRecord>> record() override { return t_->record(); }
        Result<chorus::LiveState> live() override { return t_->live(); }
        chorus::Status put_record(const chorus::UserRecord& r) override {
            if (lose()) return chorus::make_error(Errc::conflict, "another host wrote first");
            return t_->put_record(r);
        }
        chorus::Status put_live(const chorus::LiveState& l) override {
            if (lose()) return chorus::make_error(Errc::conflict, "another host wrote first");
            return t_->put_live(l);
        }
        chorus::Status erase() override { return t_->erase(); }

    private:
        bool lose() {
            if (s_.conflicts <= 0) return false;
            --s_.conflicts;
            ++s_.writes_lost;
            t_.reset();  // the other host's turn: our view of the state is stale now
            if (s_.meanwhile) s_.meanwhile();
            return true;
        }
        ContendedStore& s_;
        std::unique_ptr<chorus::UserTxn> t_;
    };

    std::unique_ptr<chorus::Store> inner_;
};

struct ContendedFixture : FlowFixture {
    ContendedStore* store = nullptr;
    ContendedFixture() {
        enroll("alice");
        auto wrapped = std::make_unique<ContendedStore>(std::move(ctx.store));
        store = wrapped.get();
        ctx.store = std::move(wrapped);
    }
    chorus::LiveState live() {
        auto txn = store->inner().begin("alice");
        if (!txn.ok()) abort();
        return *(*txn)->live();
    }
};

void test_a_lost_write_is_tried_again_and_the_login_succeeds(void**) {
    ContendedFixture f;
    f.store->conflicts = chorus::kConflictAttempts - 1;
    chorus::VerifyOutcome o;
    assert_true(chorus::verify_code(f.ctx, "alice", f.code_now(), o).ok());
    assert_int_equal(f.store->writes_lost, chorus::kConflictAttempts - 1);
    assert_true(f.live().last_step > 0);
}

void test_too_many_lost_writes_refuse_the_login_as_busy(void**) {
    ContendedFixture f;
    f.store->conflicts = chorus::kConflictAttempts;
    chorus::VerifyOutcome o;
    auto st = chorus::verify_code(f.ctx, "alice", f.code_now(), o);
    assert_false(st.ok());
    assert_int_equal(static_cast<int>(st.code()), static_cast<int>(Errc::busy));
    assert_int_equal(f.live().last_step, 0);  // nothing of ours was written
}

// Another host accepts the same code while our write is in flight: on the
// next attempt the code is a replay, refused and counted.
void test_a_code_another_host_accepted_meanwhile_is_a_replay(void**) {
    ContendedFixture f;
    const std::string code = f.code_now();
    f.store->conflicts = 1;
    f.store->meanwhile = [&] {
        chorus::VerifyOutcome other;
        chorus::Context& ctx = f.ctx;
        auto saved = std::move(ctx.store);
        ctx.store =
            std::unique_ptr<chorus::Store>(&f.store->inner());  // the other host, straight to the store
        const bool ok = chorus::verify_code(ctx, "alice", code, other).ok();
        (void)ctx.store.release();
        ctx.store = std::move(saved);
        assert_true(ok);
    };
    chorus::VerifyOutcome o;
    auto st = chorus::verify_code(f.ctx, "alice", code, o);
    assert_int_equal(static_cast<int>(st.code()), static_cast<int>(Errc::replay));
    assert_int_equal(f.live().failures, 1);
}

// Two failures on two hosts at once: both are counted.
void test_failures_on_two_hosts_at_once_are_both_counted(void**) {
    ContendedFixture f;
    f.store->conflicts = 1;
    f.store->meanwhile = [&] {
        auto txn = f.store->inner().begin("alice");
        assert_true(txn.ok());
        chorus::LiveState l = *(*txn)->live();
        ++l.failures;  // what the other host's count_failure writes
        l.first_failure_at = l.last_failure_at = f.clock->now();
        assert_true((*txn)->put_live(l).ok());
    };
    chorus::VerifyOutcome o;
    auto st = chorus::verify_code(f.ctx, "alice", "000000", o);
    assert_false(st.ok());
    assert_int_equal(f.live().failures, 2);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_lost_write_is_tried_again_and_the_login_succeeds),
        cmocka_unit_test(test_too_many_lost_writes_refuse_the_login_as_busy),
        cmocka_unit_test(test_a_code_another_host_accepted_meanwhile_is_a_replay),
        cmocka_unit_test(test_failures_on_two_hosts_at_once_are_both_counted),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
