// SPDX-License-Identifier: BSD-2-Clause
// The file store: round trips, locking under concurrency, and refusal of every
// planted link, FIFO, directory or foreign file where state should be.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "store/store.hpp"
// Last: cmocka defines macros (fail, ...) that clash with the standard headers.
#include "testutil.hpp"

using namespace chorus;
using chorus_test::TempDir;

namespace {

#define assert_code(expr, errc) assert_int_equal(static_cast<int>((expr).code()), static_cast<int>(errc))

std::unique_ptr<Store> open_store(const std::string& dir, int timeout_ms = 10000) {
    auto s = open_file_store(FileStoreOptions{dir, static_cast<unsigned>(::geteuid()), timeout_ms, {}});
    if (!s.ok()) fail_msg("open_file_store: %s", s.error().message.c_str());
    return std::move(s).value();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

bool is_empty_dir(const std::string& dir) {
    std::string cmd = "test -z \"$(ls -A '" + dir + "')\"";
    return std::system(cmd.c_str()) == 0;
}

UserRecord sample_record(const std::string& email) {
    UserRecord r;
    TotpKey k;
    k.secret = SecretBytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    r.totp = std::move(k);
    r.recovery = {HashedCode{"h1"}};
    r.email = email;
    return r;
}

void test_state_dir_is_created_private(void**) {
    TempDir t;
    auto store = open_store(t.file("state"));
    struct stat st {};
    assert_int_equal(::lstat(t.file("state").c_str(), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
}

void test_unsafe_state_dir_is_refused(void**) {
    TempDir t;
    const unsigned me = static_cast<unsigned>(::geteuid());
    assert_int_equal(::mkdir(t.file("real").c_str(), 0700), 0);
    assert_int_equal(::symlink(t.file("real").c_str(), t.file("link").c_str()), 0);
    assert_code(open_file_store({t.file("link"), me, 1000, {}}), Errc::unsafe_file);
    assert_int_equal(::mkdir(t.file("gw").c_str(), 0700), 0);
    assert_int_equal(::chmod(t.file("gw").c_str(), 0770), 0);
    assert_code(open_file_store({t.file("gw"), me, 1000, {}}), Errc::unsafe_file);
    assert_int_equal(::mkdir(t.file("nobody").c_str(), 0700), 0);
    assert_int_equal(::chown(t.file("nobody").c_str(), 65534, 65534), 0);
    assert_code(open_file_store({t.file("nobody"), me, 1000, {}}), Errc::unsafe_file);
    chorus_test::write_file(t.file("file"), "x");
    assert_code(open_file_store({t.file("file"), me, 1000, {}}), Errc::unsafe_file);
    assert_false(exists(t.file("real/x")));
}

void test_unknown_user_creates_nothing(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    {
        auto txn = store->begin("ghost");
        assert_true(txn.ok());
        auto rec = (*txn)->record();
        assert_true(rec.ok() && !rec->has_value());
        auto live = (*txn)->live();
        assert_true(live.ok() && live->failures == 0 && live->last_step == 0);
        assert_true((*txn)->erase().ok());
    }
    assert_true(is_empty_dir(t.file("s")));
}

void test_record_and_live_round_trip(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    {
        auto txn = store->begin("alice");
        assert_true(txn.ok());
        assert_true((*txn)->put_record(sample_record("a@example.com")).ok());
        LiveState l;
        l.last_step = 1234;
        l.failures = 2;
        assert_true((*txn)->put_live(l).ok());
        assert_int_equal((*txn)->live()->last_step, 1234);  // read back within the same txn
    }
    auto txn = store->begin("alice");
    assert_true(txn.ok());
    auto rec = (*txn)->record();
    assert_true(rec.ok() && rec->has_value());
    assert_true((*rec)->email == "a@example.com");
    assert_true((*rec)->totp->secret == (SecretBytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    assert_int_equal((*txn)->live()->failures, 2);
    struct stat st {};
    assert_int_equal(::stat(t.file("s/alice.rec").c_str(), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_false(exists(t.file("s/alice.rec.tmp")));
}

void test_erase_removes_state_and_keeps_lock(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    {
        auto txn = store->begin("bob");
        assert_true((*txn)->put_record(sample_record("")).ok());
        assert_true((*txn)->put_live(LiveState{}).ok());
        assert_true((*txn)->erase().ok());
    }
    assert_false(exists(t.file("s/bob.rec")));
    assert_false(exists(t.file("s/bob.live")));
    assert_true(exists(t.file("s/bob.lock")));
    auto txn = store->begin("bob");
    assert_false((*txn)->record()->has_value());
}

void test_list_users_is_sorted_and_ignores_other_files(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    for (const char* u : {"zoe", "alice", ".dot", "host$", "bob"}) {
        auto txn = store->begin(u);
        assert_true((*txn)->put_record(sample_record("")).ok());
    }
    {
        auto txn = store->begin("liveonly");
        assert_true((*txn)->put_live(LiveState{}).ok());
    }
    chorus_test::write_file(t.file("s/notes.txt"), "x");
    chorus_test::write_file(t.file("s/%zz.rec"), "x");
    chorus_test::write_file(t.file("s/%61.rec"), "x");  // non-canonical spelling of "a"
    assert_int_equal(::symlink("/etc/passwd", t.file("s/evil.rec").c_str()), 0);
    assert_int_equal(::mkdir(t.file("s/dir.rec").c_str(), 0700), 0);
    auto users = store->list_users();
    assert_true(users.ok());
    std::vector<std::string> want = {".dot", "alice", "bob", "host$", "zoe"};
    assert_true(*users == want);
}

void test_hostile_usernames_are_refused(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    for (const std::string& u :
         {std::string("../etc/shadow"), std::string("a/b"), std::string("-rf"), std::string("\n"),
          std::string(300, 'x'), std::string("."), std::string("..")})
        assert_code(store->begin(u), Errc::bad_username);
    assert_true(is_empty_dir(t.file("s")));
}

// Each child does `rounds` read-modify-write cycles; begin again when the
// first write of a new user finds another child created it (conflict).
template <typename Step>
void hammer(Store& store, int procs, int rounds, Step step) {
    std::vector<pid_t> kids;
    for (int p = 0; p < procs; ++p) {
        pid_t pid = ::fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            for (int i = 0; i < rounds;) {
                auto txn = store.begin("carol");
                if (!txn.ok()) ::_exit(2);
                Status st = step(**txn);
                if (st.ok())
                    ++i;
                else if (st.code() != Errc::conflict)
                    ::_exit(3);
            }
            ::_exit(0);
        }
        kids.push_back(pid);
    }
    for (pid_t k : kids) {
        int status = 0;
        assert_int_equal(::waitpid(k, &status, 0), k);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

void test_concurrent_live_increments_lose_no_update(void**) {
    TempDir t;
    auto store = open_store(t.file("s"), 60000);
    hammer(*store, 20, 25, [](UserTxn& txn) -> Status {
        CHORUS_ASSIGN_OR_RETURN(LiveState l, txn.live());
        l.failures += 1;
        return txn.put_live(l);
    });
    auto txn = store->begin("carol");
    assert_int_equal((*txn)->live()->failures, 500);
}

void test_concurrent_record_updates_lose_no_update(void**) {
    TempDir t;
    auto store = open_store(t.file("s"), 60000);
    hammer(*store, 20, 25, [](UserTxn& txn) -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto rec, txn.record());
        UserRecord r = rec ? std::move(*rec) : UserRecord{};
        r.first_seen += 1;
        return txn.put_record(r);
    });
    auto txn = store->begin("carol");
    assert_int_equal((*(*txn)->record())->first_seen, 500);
}

void test_held_lock_times_out_as_busy(void**) {
    TempDir t;
    auto store = open_store(t.file("s"), 200);
    {
        auto txn = store->begin("dave");
        assert_true((*txn)->put_live(LiveState{}).ok());
    }
    int fd = ::open(t.file("s/dave.lock").c_str(), O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(::flock(fd, LOCK_EX), 0);
    assert_code(store->begin("dave"), Errc::busy);
    ::close(fd);
    assert_true(store->begin("dave").ok());
}

// --- planted files ----------------------------------------------------------

enum class Plant { symlink, hardlink, fifo, directory, group_writable, wrong_owner };

// Puts something unsafe at s/erin<suffix>. "outside" is the victim file a link
// points at; for in-place kinds the planted file itself must stay unchanged.
void plant(const TempDir& t, const std::string& suffix, Plant kind) {
    const std::string path = t.file("s/erin" + suffix);
    switch (kind) {
    case Plant::symlink:
        assert_int_equal(::symlink(t.file("outside").c_str(), path.c_str()), 0);
        break;
    case Plant::hardlink:
        assert_int_equal(::link(t.file("outside").c_str(), path.c_str()), 0);
        break;
    case Plant::fifo:
        assert_int_equal(::mkfifo(path.c_str(), 0600), 0);
        break;
    case Plant::directory:
        assert_int_equal(::mkdir(path.c_str(), 0700), 0);
        break;
    case Plant::group_writable:
        chorus_test::write_file(path, "precious\n", 0620);
        break;
    case Plant::wrong_owner:
        chorus_test::write_file(path, "precious\n", 0600);
        assert_int_equal(::chown(path.c_str(), 65534, 65534), 0);
        break;
    }
}

void expect_refused(Store& store, const std::string& suffix) {
    if (suffix == ".lock") {
        assert_code(store.begin("erin"), Errc::unsafe_file);
        return;
    }
    auto txn = store.begin("erin");
    assert_true(txn.ok());
    if (suffix == ".rec") {
        assert_code((*txn)->record(), Errc::unsafe_file);
        assert_code((*txn)->put_record(sample_record("e@x")), Errc::unsafe_file);
        assert_code((*txn)->erase(), Errc::unsafe_file);
    } else if (suffix == ".live") {
        assert_code((*txn)->live(), Errc::unsafe_file);
        assert_code((*txn)->put_live(LiveState{}), Errc::unsafe_file);
    } else {  // ".rec.tmp": a leftover we may only remove if it is plainly ours
        assert_code((*txn)->put_record(sample_record("e@x")), Errc::unsafe_file);
    }
}

void test_planted_files_are_refused_and_nothing_outside_changes(void**) {
    for (const char* suffix : {".rec", ".live", ".lock", ".rec.tmp"}) {
        for (Plant kind : {Plant::symlink, Plant::hardlink, Plant::fifo, Plant::directory,
                           Plant::group_writable, Plant::wrong_owner}) {
            TempDir t;
            chorus_test::write_file(t.file("outside"), "precious\n", 0600);
            auto store = open_store(t.file("s"), 1000);
            plant(t, suffix, kind);
            auto start = std::chrono::steady_clock::now();
            expect_refused(*store, suffix);
            auto took = std::chrono::steady_clock::now() - start;
            assert_true(took < std::chrono::seconds(2));  // a FIFO must never block us
            assert_true(slurp(t.file("outside")) == "precious\n");
            if (kind == Plant::group_writable || kind == Plant::wrong_owner)
                assert_true(slurp(t.file(std::string("s/erin") + suffix)) == "precious\n");
            if (std::string(suffix) != ".rec") assert_false(exists(t.file("s/erin.rec")));  // nothing written
        }
    }
}

void test_stale_tmp_from_crash_is_cleaned_and_record_intact(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    {
        auto txn = store->begin("frank");
        assert_true((*txn)->put_record(sample_record("old@x")).ok());
    }
    const std::string before = slurp(t.file("s/frank.rec"));
    chorus_test::write_file(t.file("s/frank.rec.tmp"), "chorus-user 1\ntotp.sec", 0600);  // torn write
    {
        auto txn = store->begin("frank");
        assert_true((*(*txn)->record())->email == "old@x");
        assert_true(slurp(t.file("s/frank.rec")) == before);
        assert_true((*txn)->put_record(sample_record("new@x")).ok());
    }
    assert_false(exists(t.file("s/frank.rec.tmp")));
    auto txn = store->begin("frank");
    assert_true((*(*txn)->record())->email == "new@x");
}

void test_damaged_state_is_corrupt_and_unlock_rewrites_live(void**) {
    TempDir t;
    auto store = open_store(t.file("s"));
    {
        auto txn = store->begin("gina");
        assert_true((*txn)->put_record(sample_record("g@x")).ok());
        assert_true((*txn)->put_live(LiveState{}).ok());
    }
    std::string rec = slurp(t.file("s/gina.rec"));
    chorus_test::write_file(t.file("s/gina.rec"), rec.substr(0, rec.size() / 2), 0600);
    chorus_test::write_file(t.file("s/gina.live"), std::string(1024, '\0'), 0600);
    auto txn = store->begin("gina");
    assert_code((*txn)->record(), Errc::corrupt);
    assert_code((*txn)->live(), Errc::corrupt);
    assert_true((*txn)->put_live(LiveState{}).ok());
    assert_true((*txn)->live().ok());
}

// Store::has_method for the file store: a snapshot read without the lock
// (a login asks it before its prompt), creating nothing for an unknown name,
// and refusing what a transaction would refuse.
void test_has_method_reads_without_the_lock(void**) {
    TempDir t;
    auto store = open_store(t.file("s"), 200);
    auto none = store->has_method("nobody-here");
    assert_true(none.ok() && !*none);
    assert_true(is_empty_dir(t.file("s")));  // nothing created for an unknown name
    {
        auto txn = store->begin("alice");
        assert_true(txn.ok());
        assert_true((*txn)->put_record(sample_record("a@example.org")).ok());
        UserRecord contacts_only;
        contacts_only.email = "b@example.org";
        auto other = store->begin("bob");
        assert_true((*other)->put_record(contacts_only).ok());
    }
    {
        auto held = store->begin("alice");  // another login holds alice's state
        assert_true(held.ok());
        auto yes = store->has_method("alice");  // answers at once (the lock waits 200 ms, then busy)
        assert_true(yes.ok() && *yes);
    }
    auto no = store->has_method("bob");
    assert_true(no.ok() && !*no);
    chorus_test::write_file(t.file("s/carol.rec"), "not a record\n", 0600);
    assert_code(store->has_method("carol"), Errc::corrupt);
    assert_int_equal(::symlink(t.file("s/alice.rec").c_str(), t.file("s/dave.rec").c_str()), 0);
    assert_code(store->has_method("dave"), Errc::unsafe_file);
    assert_code(store->has_method("../x"), Errc::bad_username);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_dir_is_created_private),
        cmocka_unit_test(test_unsafe_state_dir_is_refused),
        cmocka_unit_test(test_unknown_user_creates_nothing),
        cmocka_unit_test(test_record_and_live_round_trip),
        cmocka_unit_test(test_erase_removes_state_and_keeps_lock),
        cmocka_unit_test(test_list_users_is_sorted_and_ignores_other_files),
        cmocka_unit_test(test_hostile_usernames_are_refused),
        cmocka_unit_test(test_concurrent_live_increments_lose_no_update),
        cmocka_unit_test(test_concurrent_record_updates_lose_no_update),
        cmocka_unit_test(test_held_lock_times_out_as_busy),
        cmocka_unit_test(test_planted_files_are_refused_and_nothing_outside_changes),
        cmocka_unit_test(test_stale_tmp_from_crash_is_cleaned_and_record_intact),
        cmocka_unit_test(test_damaged_state_is_corrupt_and_unlock_rewrites_live),
        cmocka_unit_test(test_has_method_reads_without_the_lock),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
