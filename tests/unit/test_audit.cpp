// SPDX-License-Identifier: BSD-2-Clause
// audit/: the counter page (created safely, refused when someone else could
// write it or it is another layout), the journal record and its syslog form
// (escaped, quoted, only the fields set), the Prometheus text, and the
// registrations and removals read from a record's change.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "audit/counters.hpp"
#include "audit/event.hpp"
#include "audit/journal.hpp"
#include "audit/metrics.hpp"
#include "flows/events.hpp"
#include "store/observed_store.hpp"
#include "testutil.hpp"

using chorus::CounterPage;
using chorus::Errc;
using chorus::EventKind;
using chorus::EventMethod;
using chorus::Outcome;

namespace {

bool contains(const std::string& hay, const std::string& needle) {
    return hay.find(needle) != std::string::npos;
}

std::string field(const std::vector<chorus::JournalField>& rec, const std::string& key) {
    for (const auto& f : rec)
        if (f.key == key) return f.value;
    return "<absent>";
}

void test_a_page_is_created_and_shared(void**) {
    chorus_test::TempDir dir;
    const std::string path = dir.path() + "/run/counters";
    auto writer = CounterPage::open(path, true);
    assert_true(writer.ok());
    struct stat st {};
    assert_int_equal(stat(path.c_str(), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    const std::size_t slot = chorus::event_slot(EventKind::login, Outcome::success, EventMethod::app);
    (*writer)->add(slot);
    (*writer)->add(slot, 2);
    (*writer)->add(CounterPage::kSlots, 5);       // out of range: ignored
    auto second = CounterPage::open(path, true);  // a second process maps the same page
    assert_true(second.ok());
    (*second)->add(slot);
    auto reader = CounterPage::open(path, false);
    assert_true(reader.ok());
    assert_int_equal((*reader)->read(slot), 4);
    (*reader)->add(slot);  // read-only: ignored
    assert_int_equal((*reader)->read(slot), 4);
    assert_int_equal((*reader)->read(CounterPage::kSlots), 0);
}

void test_an_unsafe_or_foreign_page_is_refused(void**) {
    chorus_test::TempDir dir;
    const std::string path = dir.path() + "/counters";
    // Not there yet: a reader is told so; it does not create it.
    auto none = CounterPage::open(path, false);
    assert_false(none.ok());
    assert_int_equal(static_cast<int>(none.code()), static_cast<int>(Errc::not_found));
    // Writable by others: never mapped, never written.
    int fd = open(path.c_str(), O_WRONLY | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
    assert_int_equal(chmod(path.c_str(), 0666), 0);
    auto open_page = CounterPage::open(path, true);
    assert_false(open_page.ok());
    assert_int_equal(static_cast<int>(open_page.code()), static_cast<int>(Errc::unsafe_file));
    // Safe mode, wrong size: another layout, not ours to reuse.
    assert_int_equal(chmod(path.c_str(), 0644), 0);
    auto other = CounterPage::open(path, true);
    assert_false(other.ok());
    assert_int_equal(static_cast<int>(other.code()), static_cast<int>(Errc::corrupt));
    // A symlink in the page's place is not followed.
    const std::string link = dir.path() + "/link";
    assert_int_equal(symlink(path.c_str(), link.c_str()), 0);
    assert_false(CounterPage::open(link, true).ok());
    // A directory others may write to is refused.
    const std::string open_dir = dir.path() + "/open";
    assert_int_equal(mkdir(open_dir.c_str(), 0777), 0);
    assert_int_equal(chmod(open_dir.c_str(), 0777), 0);
    auto in_open_dir = CounterPage::open(open_dir + "/counters", true);
    assert_false(in_open_dir.ok());
    assert_int_equal(static_cast<int>(in_open_dir.code()), static_cast<int>(Errc::unsafe_file));
    assert_false(CounterPage::open("relative/counters", true).ok());
}

void test_the_record_carries_only_what_is_set(void**) {
    chorus::EventFields e;
    e.kind = EventKind::login;
    e.outcome = Outcome::success;
    e.method = EventMethod::app;
    e.user = "alice\nCHORUS_RESULT=forged";
    e.service = "sshd";
    e.rhost = "192.0.2.7";
    const auto rec = chorus::event_record(e);
    assert_string_equal(field(rec, "MESSAGE_ID").c_str(), "5a01e8d5ba214009b2f37e403a20f968");
    assert_string_equal(field(rec, "CHORUS_EVENT").c_str(), "login");
    assert_string_equal(field(rec, "CHORUS_RESULT").c_str(), "success");
    assert_string_equal(field(rec, "CHORUS_METHOD").c_str(), "app");
    // A newline in a name cannot start a field of its own.
    assert_string_equal(field(rec, "CHORUS_USER").c_str(), "alice\\x0aCHORUS_RESULT=forged");
    assert_string_equal(field(rec, "CHORUS_RHOST").c_str(), "192.0.2.7");
    assert_string_equal(field(rec, "CHORUS_STEP").c_str(), "<absent>");
    assert_string_equal(field(rec, "CHORUS_TTY").c_str(), "<absent>");
    assert_string_equal(field(rec, "PRIORITY").c_str(), "6");
    assert_true(contains(field(rec, "MESSAGE"), "login of alice\\x0aCHORUS_RESULT=forged: success (app)"));
    // A default outcome is a failure, said at notice level.
    chorus::EventFields unset;
    assert_string_equal(field(chorus::event_record(unset), "CHORUS_RESULT").c_str(), "failure");
    assert_int_equal(chorus::event_priority(unset), 5);
    // A long value is cut.
    chorus::EventFields longer;
    const std::string name(1000, 'a');
    longer.user = name;
    assert_int_equal(field(chorus::event_record(longer), "CHORUS_USER").size(), 256);
}

void test_the_syslog_line_quotes_what_needs_it(void**) {
    const std::vector<chorus::JournalField> rec = {{"MESSAGE", "login of a b: success"},
                                                   {"PRIORITY", "6"},
                                                   {"SYSLOG_FACILITY", "10"},
                                                   {"SYSLOG_IDENTIFIER", "chorus"},
                                                   {"CHORUS_USER", "x\"y\\z"},
                                                   {"CHORUS_REASON", ""},
                                                   {"CHORUS_EVENT", "login"}};
    assert_string_equal(
        chorus::syslog_line(rec).c_str(),
        R"(MESSAGE="login of a b: success" CHORUS_USER="x\"y\\z" CHORUS_REASON="" CHORUS_EVENT=login)");
}

void test_every_kind_has_a_distinct_id(void**) {
    for (std::size_t a = 0; a < chorus::kEventKinds; ++a) {
        assert_int_equal(chorus::message_id(static_cast<EventKind>(a)).size(), 32);
        for (std::size_t b = a + 1; b < chorus::kEventKinds; ++b)
            assert_true(chorus::message_id(static_cast<EventKind>(a)) !=
                        chorus::message_id(static_cast<EventKind>(b)));
    }
}

void test_the_prometheus_text(void**) {
    const std::string empty = chorus::render_counters(nullptr);
    assert_true(contains(empty, "# TYPE chorus_logins_total counter\n"));
    assert_true(contains(empty, "chorus_logins_total{result=\"success\",method=\"app\"} 0\n"));
    assert_true(contains(empty, "chorus_lockouts_total 0\n"));
    assert_true(contains(empty, "chorus_store_seconds_bucket{le=\"+Inf\"} 0\n"));
    chorus_test::TempDir dir;
    auto page = CounterPage::open(dir.path() + "/counters", true);
    assert_true(page.ok());
    (*page)->add(chorus::event_slot(EventKind::delivery, Outcome::failure, EventMethod::sms), 3);
    (*page)->add(chorus::event_slot(EventKind::lockout, Outcome::locked, EventMethod::none));
    (*page)->add(chorus::event_slot(EventKind::lockout, Outcome::failure, EventMethod::app));  // summed
    chorus::Context ctx;
    ctx.config.audit.counters = dir.path() + "/counters";
    chorus::observe_store_latency(ctx, 300);  // not a login's (an admin read): not counted
    {
        const chorus::LoginTiming timing(ctx);
        chorus::observe_store_latency(ctx, 700);      // 0.0007 s: the 0.001 bucket
        chorus::observe_store_latency(ctx, 9000000);  // beyond the last bound: +Inf only
    }
    chorus::observe_store_latency(ctx, 400);  // the login is over: not counted
    const std::string text = chorus::render_counters(page->get());
    assert_true(contains(text, "chorus_deliveries_total{result=\"failure\",channel=\"sms\"} 3\n"));
    assert_true(contains(text, "chorus_lockouts_total 2\n"));
    assert_true(contains(text, "chorus_store_seconds_bucket{le=\"0.0005\"} 0\n"));
    assert_true(contains(text, "chorus_store_seconds_bucket{le=\"0.001\"} 1\n"));
    assert_true(contains(text, "chorus_store_seconds_bucket{le=\"5\"} 1\n"));
    assert_true(contains(text, "chorus_store_seconds_bucket{le=\"+Inf\"} 2\n"));
    assert_true(contains(text, "chorus_store_seconds_sum 9.000700\n"));
    assert_true(contains(text, "chorus_store_seconds_count 2\n"));
}

// The registrations and removals one record change means, as counted.
std::vector<std::pair<EventKind, EventMethod>> changes(const chorus::UserRecord& before,
                                                       const chorus::UserRecord& after) {
    chorus_test::TempDir dir;
    chorus::Context ctx;
    ctx.config.audit.counters = dir.path() + "/counters";
    ctx.config.audit.journal = false;
    chorus::report_record_change(ctx, "carol", before, after);
    std::vector<std::pair<EventKind, EventMethod>> out;
    auto page = CounterPage::open(ctx.config.audit.counters, false);
    if (!page.ok()) return out;  // nothing was counted: the page was never made
    for (EventKind k : {EventKind::registration, EventKind::removal})
        for (std::size_t m = 0; m < chorus::kEventMethods; ++m)
            for (std::uint64_t n =
                     (*page)->read(chorus::event_slot(k, Outcome::success, static_cast<EventMethod>(m)));
                 n > 0; --n)
                out.emplace_back(k, static_cast<EventMethod>(m));
    return out;
}

using Changes = std::vector<std::pair<EventKind, EventMethod>>;

void expect(const chorus::UserRecord& before, const chorus::UserRecord& after, const Changes& want) {
    const bool same = changes(before, after) == want;
    assert_true(same);
}

void test_registrations_and_removals_read_from_a_change(void**) {
    chorus::UserRecord none;
    chorus::UserRecord app;
    app.totp = chorus::TotpKey{};
    app.enrolled_at = 100;
    expect(none, app, {{EventKind::registration, EventMethod::app}});
    expect(app, none, {{EventKind::removal, EventMethod::app}});
    // A login that moves the last step or spends a code registers nothing.
    chorus::UserRecord used = app;
    used.recovery = {{"h1"}, {"h2"}};
    chorus::UserRecord spent = used;
    spent.recovery = {{"h2"}};
    expect(used, spent, {});
    chorus::UserRecord last_spent = spent;
    last_spent.recovery.clear();
    expect(spent, last_spent, {});
    // A new set; a whole set removed.
    chorus::UserRecord renewed = spent;
    renewed.recovery = {{"h3"}, {"h4"}};
    expect(spent, renewed, {{EventKind::registration, EventMethod::recovery}});
    expect(renewed, app, {{EventKind::removal, EventMethod::recovery}});
    // The key replaced: the same number of apps, a new enrollment time.
    chorus::UserRecord replaced = app;
    replaced.enrolled_at = 200;
    expect(app, replaced, {{EventKind::registration, EventMethod::app}});
    // A phone counts once proven; removed when its number goes.
    chorus::UserRecord unproven = app;
    unproven.phone = "+15555550100";
    expect(app, unproven, {});
    chorus::UserRecord proven = unproven;
    proven.phone_proven_at = 300;
    expect(unproven, proven, {{EventKind::registration, EventMethod::phone}});
    expect(proven, app, {{EventKind::removal, EventMethod::phone}});
    chorus::UserRecord mail = app;
    mail.email = "c@example.org";
    mail.email_proven_at = 5;
    mail.phone2 = "+15555550101";
    mail.phone2_proven_at = 6;
    expect(app, mail,
           {{EventKind::registration, EventMethod::email}, {EventKind::registration, EventMethod::phone2}});
    // A push phone added, then gone.
    chorus::UserRecord push = app;
    push.push_devices.push_back(chorus::PushDevice{"CHPU1", "key", 7});
    expect(app, push, {{EventKind::registration, EventMethod::push}});
    expect(push, app, {{EventKind::removal, EventMethod::push}});
}

// A store whose one user has a record; counts the observer's calls.
class OneRecordStore : public chorus::Store {
public:
    struct Txn : chorus::UserTxn {
        chorus::UserRecord& rec;
        bool& has;
        Txn(chorus::UserRecord& r, bool& h) : rec(r), has(h) {}
        chorus::Result<std::optional<chorus::UserRecord>> record() override {
            if (!has) return std::optional<chorus::UserRecord>();
            return std::optional<chorus::UserRecord>(rec);
        }
        chorus::Result<chorus::LiveState> live() override { return chorus::LiveState{}; }
        chorus::Status put_record(const chorus::UserRecord& r) override {
            rec = r;
            has = true;
            return {};
        }
        chorus::Status put_live(const chorus::LiveState&) override { return {}; }
        chorus::Status erase() override {
            has = false;
            return {};
        }
    };
    chorus::Result<std::unique_ptr<chorus::UserTxn>> begin(std::string_view) override {
        return std::unique_ptr<chorus::UserTxn>(std::make_unique<Txn>(rec_, has_));
    }
    chorus::Result<std::vector<std::string>> list_users() override {
        return std::vector<std::string>{"dave"};
    }

private:
    chorus::UserRecord rec_;
    bool has_ = false;
};

void test_the_observed_store_reports_each_change_once(void**) {
    int timed = 0;
    std::vector<std::pair<bool, bool>> seen;  // (before had a record, after has one)
    chorus::StoreObserver obs;
    obs.latency = [&](std::int64_t micros) {
        assert_true(micros >= 0);
        ++timed;
    };
    obs.record_changed = [&](std::string_view user, const std::optional<chorus::UserRecord>& before,
                             const std::optional<chorus::UserRecord>& after) {
        assert_true(user == "dave");
        seen.emplace_back(before.has_value(), after.has_value());
    };
    auto store = chorus::observe_store(std::make_unique<OneRecordStore>(), obs);
    {
        auto txn = store->begin("dave");
        assert_true(txn.ok());
        assert_true((*txn)->put_record(chorus::UserRecord{}).ok());  // never read: read by the observer
        assert_true((*txn)->put_both(chorus::UserRecord{}, chorus::LiveState{}).ok());
        assert_true((*txn)->put_live(chorus::LiveState{}).ok());
    }
    assert_true(store->peek_record("dave").ok());
    {
        auto txn = store->begin("dave");
        assert_true((*txn)->erase().ok());
        assert_true((*txn)->live().ok());
    }
    const std::vector<std::pair<bool, bool>> want = {{false, true}, {true, true}, {true, false}};
    assert_true(seen == want);
    assert_int_equal(timed, 3);  // two transactions and a peek
    assert_true(store->list_users().ok());
    assert_true(store->spend_like_a_write().ok());
    assert_int_equal(store->clock_offset(), 0);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_page_is_created_and_shared),
        cmocka_unit_test(test_an_unsafe_or_foreign_page_is_refused),
        cmocka_unit_test(test_the_record_carries_only_what_is_set),
        cmocka_unit_test(test_the_syslog_line_quotes_what_needs_it),
        cmocka_unit_test(test_every_kind_has_a_distinct_id),
        cmocka_unit_test(test_the_prometheus_text),
        cmocka_unit_test(test_registrations_and_removals_read_from_a_change),
        cmocka_unit_test(test_the_observed_store_reports_each_change_once),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
