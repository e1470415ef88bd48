// SPDX-License-Identifier: BSD-2-Clause
// Store plugins (store/open_store, store/plugin_store): code is run only
// from root's file (the caller's own, when not root) in such a directory,
// that nobody else can write; a file that is not a shared object, or a shared
// object that is not a plugin of this contract, is refused as unsupported.
// The plugin is checked and loaded before the seal key is read. Then the
// library's side of the contract, driven through a plugin that keeps rows in
// memory (memory_store_plugin.c): what crosses is sealed, every failure code
// keeps its meaning, and chorusctl's commands print what comes back.
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <chorus/chorus.h>

#include "store/open_store.hpp"
#include "store/record_codec.hpp"
#include "util/seal.hpp"
#include "testutil.hpp"

using chorus::Errc;
using chorus_test::TempDir;

namespace {

chorus::StoreConfig postgresql_with_plugin(const std::string& plugin) {
    chorus::StoreConfig cfg;
    cfg.backend = chorus::StoreBackend::postgresql;
    cfg.conninfo = "host=127.0.0.1 dbname=chorus";
    cfg.plugin = plugin;
    return cfg;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The file of a shared object this test is running with (libcmocka): a real
// ELF library that has no chorus_store_plugin_v1.
std::string loaded_library(const char* name) {
    std::istringstream maps(read_all("/proc/self/maps"));
    for (std::string line; std::getline(maps, line);) {
        const std::size_t slash = line.find('/');
        if (slash != std::string::npos && line.find(name, slash) != std::string::npos)
            return line.substr(slash);
    }
    return "";
}

// A copy of a real shared object in a root-owned 0700 directory.
std::string copy_of_a_shared_object(const TempDir& dir, const std::string& name, mode_t mode) {
    const std::string from = loaded_library("/libcmocka.so");
    assert_false(from.empty());
    const std::string bytes = read_all(from);
    assert_true(bytes.size() > 4 && bytes.compare(0, 4,
                                                  "\x7f"
                                                  "ELF") == 0);
    const std::string to = dir.file(name);
    chorus_test::write_file(to, bytes, mode);
    return to;
}

struct Opened {
    Errc code;
    std::string message;
};

Opened open_with_plugin(const std::string& plugin) {
    auto store = chorus::open_store(postgresql_with_plugin(plugin));
    if (store.ok()) fail_msg("a store was opened through %s", plugin.c_str());
    return {store.code(), store.error().message};
}

void test_a_plugin_that_is_not_a_shared_object_is_unsupported(void**) {
    TempDir dir;
    const std::string path = dir.file("store-postgresql.so");
    chorus_test::write_file(path, "#!/bin/sh\necho this is not a shared object\n", 0644);
    Opened o = open_with_plugin(path);
    assert_int_equal(static_cast<int>(o.code), static_cast<int>(Errc::unsupported));
    assert_true(o.message.find("cannot load") != std::string::npos);
    chorus_test::write_file(path,
                            "\x7f"
                            "ELF",
                            0644);  // a truncated ELF header
    assert_int_equal(static_cast<int>(open_with_plugin(path).code), static_cast<int>(Errc::unsupported));
}

void test_a_shared_object_without_the_plugin_entry_is_unsupported(void**) {
    TempDir dir;
    const std::string path = copy_of_a_shared_object(dir, "store-postgresql.so", 0644);
    Opened o = open_with_plugin(path);
    assert_int_equal(static_cast<int>(o.code), static_cast<int>(Errc::unsupported));
    assert_true(o.message.find("not a store plugin") != std::string::npos);
}

void test_a_plugin_others_could_change_is_refused(void**) {
    TempDir dir;
    // Each would load (it is a real shared object), so only the check stops it.
    for (mode_t mode : {0664, 0646, 0666, 0775}) {
        const std::string path = copy_of_a_shared_object(dir, "store-postgresql.so", mode);
        Opened o = open_with_plugin(path);
        if (o.code != Errc::unsafe_file)
            fail_msg("mode %o: %s", static_cast<unsigned>(mode), o.message.c_str());
    }
    // Owned by somebody else.
    const std::string theirs = copy_of_a_shared_object(dir, "theirs.so", 0644);
    assert_int_equal(chown(theirs.c_str(), 4242, 4242), 0);
    assert_int_equal(static_cast<int>(open_with_plugin(theirs).code), static_cast<int>(Errc::unsafe_file));
    // A symlink to a good file, and a good file in a directory others can write to.
    const std::string good = copy_of_a_shared_object(dir, "good.so", 0644);
    assert_int_equal(symlink(good.c_str(), dir.file("link.so").c_str()), 0);
    assert_int_equal(static_cast<int>(open_with_plugin(dir.file("link.so")).code),
                     static_cast<int>(Errc::unsafe_file));
    assert_int_equal(mkdir(dir.file("open").c_str(), 0700), 0);
    const std::string in_open = copy_of_a_shared_object(dir, "open/store-postgresql.so", 0644);
    assert_int_equal(chmod(dir.file("open").c_str(), 0777), 0);
    assert_int_equal(static_cast<int>(open_with_plugin(in_open).code), static_cast<int>(Errc::unsafe_file));
    // The same file, once nobody else can write to its directory, is only "not a plugin".
    assert_int_equal(chmod(dir.file("open").c_str(), 0755), 0);
    assert_int_equal(static_cast<int>(open_with_plugin(in_open).code), static_cast<int>(Errc::unsupported));
}

constexpr const char* kKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

// A config for the memory plugin in dir (root-owned, 0700), and its key.
std::string memory_config(const TempDir& dir, const std::string& conninfo) {
    chorus_test::write_file(dir.file("seal.key"), std::string(kKeyHex) + "\n", 0600);
    const std::string path = dir.file("chorus.yaml");
    chorus_test::write_file(
        path,
        "store:\n  backend: postgresql\n  conninfo: \"" + conninfo + "\"\n  plugin: " + MEMORY_STORE_PLUGIN +
            "\n  seal_key_file: " + dir.file("seal.key") + "\n  path: " + dir.file("state") + "\n",
        0644);
    return path;
}

std::unique_ptr<chorus::Store> memory_store(const std::string& conninfo) {
    auto plugin = chorus::load_store_plugin(MEMORY_STORE_PLUGIN);
    if (!plugin.ok()) fail_msg("%s", plugin.error().message.c_str());
    auto store = chorus::open_plugin_store(**plugin, conninfo, *chorus::parse_seal_key(kKeyHex));
    if (!store.ok()) fail_msg("%s", store.error().message.c_str());
    return std::move(store).value();
}

// The memory plugin's own view, through the object the library loaded.
const char* stored_text(const char* key) {
    void* self = dlopen(MEMORY_STORE_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(self);
    auto peek = reinterpret_cast<const char* (*)(const char*)>(dlsym(self, "memory_store_record"));
    assert_non_null(peek);
    const char* text = peek(key);
    dlclose(self);
    return text;
}

int ends_so_far() {
    void* self = dlopen(MEMORY_STORE_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(self);
    auto ends = reinterpret_cast<int (*)()>(dlsym(self, "memory_store_ends"));
    assert_non_null(ends);
    const int n = ends();
    dlclose(self);
    return n;
}

chorus::UserRecord record_with_key(const std::string& secret) {
    chorus::UserRecord rec;
    chorus::TotpKey key;
    key.secret = chorus::SecretBytes(secret.begin(), secret.end());
    rec.totp = std::move(key);
    rec.recovery.push_back({"hash-of-a-recovery-code"});
    rec.phone = "+15550100";
    return rec;
}

// chorusctl's entry (chorus_store_admin) goes through the same loader: a
// file that is not our plugin, or one others could change, is refused with
// a message, and nothing runs.
void test_store_admin_refuses_what_a_login_refuses(void**) {
    TempDir dir;
    char* report = nullptr;
    char* message = nullptr;
    assert_int_equal(chorus_store_admin(nullptr, nullptr, "drop", &report, &message), CHORUS_ERR_INVALID_ARG);
    assert_null(report);
    assert_null(message);
    assert_int_equal(chorus_store_admin(nullptr, nullptr, "init", nullptr, &message), CHORUS_ERR_INVALID_ARG);
    const std::string config = memory_config(dir, "memory");

    const std::string other = copy_of_a_shared_object(dir, "not-ours.so", 0644);
    assert_int_equal(chorus_store_admin(config.c_str(), other.c_str(), "status", &report, &message),
                     CHORUS_ERR_UNSUPPORTED);
    assert_null(report);
    assert_non_null(message);
    assert_true(std::string(message).find("not a store plugin") != std::string::npos);
    chorus_string_free(&message);

    const std::string writable = copy_of_a_shared_object(dir, "writable.so", 0666);
    assert_int_equal(
        chorus_store_admin(config.c_str(), writable.c_str(), "migrate-from-file", &report, &message),
        CHORUS_ERR_UNSAFE_FILE);
    assert_null(report);
    assert_non_null(message);
    chorus_string_free(&message);
}

// A plugin built for another contract version exports the entry, and is
// still refused before any of its functions runs.
void test_a_plugin_of_another_contract_is_unsupported(void**) {
    auto p = chorus::load_store_plugin(MEMORY_STORE_PLUGIN_OLD);
    assert_false(p.ok());
    assert_int_equal(static_cast<int>(p.code()), static_cast<int>(Errc::unsupported));
    assert_true(p.error().message.find("not a store plugin") != std::string::npos);
}

// The plugin sees the encoded name, a sealed TOTP key and salted hashes,
// never the key itself; what it gives back opens to the same record.
void test_rows_cross_sealed_and_come_back(void**) {
    auto store = memory_store("memory");
    const std::string secret = "plain-totp-key-bytes";
    const int ends_before = ends_so_far();
    {
        auto txn = store->begin("al@ice");
        assert_true(txn.ok());
        assert_false((*txn)->record()->has_value());
        assert_true((*txn)->put_record(record_with_key(secret)).ok());
        chorus::LiveState live;
        live.last_step = 1234;
        live.failures = 2;
        live.locked_until = 99;
        assert_true((*txn)->put_live(live).ok());
    }
    assert_int_equal(ends_so_far(), ends_before + 1);  // the turn was ended
    const char* text = stored_text("al%40ice");
    assert_non_null(text);
    assert_null(strstr(text, secret.c_str()));
    assert_non_null(strstr(text, "hash-of-a-recovery-code"));
    {
        auto txn = store->begin("al@ice");
        assert_true(txn.ok());
        auto rec = (*txn)->record();
        assert_true(rec.ok() && rec->has_value());
        assert_true(std::string((*rec)->totp->secret.begin(), (*rec)->totp->secret.end()) == secret);
        assert_false((*rec)->totp->sealed);
        assert_int_equal((*txn)->live()->last_step, 1234);
        assert_int_equal((*txn)->live()->failures, 2);
        assert_int_equal((*txn)->live()->locked_until, 99);
    }
    auto users = store->list_users();
    assert_true(users.ok());
    assert_true(std::find(users->begin(), users->end(), "al@ice") != users->end());
    assert_int_equal(store->clock_offset(), 7);
    assert_true(store->spend_like_a_write().ok());
    {
        auto txn = store->begin("al@ice");
        assert_true(txn.ok());
        assert_true((*txn)->erase().ok());
        assert_false((*txn)->record()->has_value());
    }
    assert_null(stored_text("al%40ice"));
}

// Two turns that read the same version: the second write loses (conflict) and
// writes nothing, rather than overwrite what it did not read.
void test_a_write_after_another_conflicts(void**) {
    auto store = memory_store("memory");
    auto first = store->begin("bob");
    auto second = store->begin("bob");
    assert_true(first.ok() && second.ok());
    assert_true((*first)->put_record(record_with_key("k1")).ok());
    Errc lost = (*second)->put_record(record_with_key("k2")).code();
    assert_int_equal(static_cast<int>(lost), static_cast<int>(Errc::conflict));
    chorus::LiveState live;
    live.failures = 5;
    assert_int_equal(static_cast<int>((*second)->put_live(live).code()), static_cast<int>(Errc::conflict));
    // The first goes on with the version it wrote.
    assert_true((*first)->put_live(live).ok());
}

// A row whose TOTP key is not sealed was not written by a library: refused.
void test_an_unsealed_key_in_a_row_is_corrupt(void**) {
    auto plugin = chorus::load_store_plugin(MEMORY_STORE_PLUGIN);
    assert_true(plugin.ok());
    const chorus_store_plugin& p = **plugin;
    void* h = nullptr;
    chorus_store_msg msg{};
    assert_int_equal(p.open("memory", &h, &msg), CHORUS_STORE_OK);
    auto text = chorus::encode_record(record_with_key("planted"));
    assert_true(text.ok());
    std::int64_t v = 0;
    assert_int_equal(p.put(h, "mallory", text->c_str(), nullptr, 0, &v, &msg), CHORUS_STORE_OK);
    p.close(h);
    auto store = memory_store("memory");
    auto txn = store->begin("mallory");
    assert_true(txn.ok());
    auto rec = (*txn)->record();
    assert_false(rec.ok());
    assert_int_equal(static_cast<int>(rec.code()), static_cast<int>(Errc::corrupt));
}

// Each contract code becomes the library error it means; only "no server
// answered" is unavailable (the failmode door), and an unknown code is an
// internal failure. The plugin's message comes through.
void test_every_plugin_code_keeps_its_meaning(void**) {
    const std::pair<int, Errc> meanings[] = {{CHORUS_STORE_UNAVAILABLE, Errc::unavailable},
                                             {CHORUS_STORE_REFUSED, Errc::io},
                                             {CHORUS_STORE_BUSY, Errc::busy},
                                             {CHORUS_STORE_CONFLICT, Errc::conflict},
                                             {CHORUS_STORE_CONFIG, Errc::config},
                                             {CHORUS_STORE_CORRUPT, Errc::corrupt},
                                             {CHORUS_STORE_NO_MEMORY, Errc::no_memory},
                                             {CHORUS_STORE_INVALID, Errc::invalid_argument},
                                             {CHORUS_STORE_INTERNAL, Errc::internal},
                                             {99, Errc::internal}};
    for (const auto& [rc, errc] : meanings) {
        const std::string conninfo = "fail=begin:" + std::to_string(rc);
        auto store = memory_store(conninfo);
        auto txn = store->begin("carol");
        assert_false(txn.ok());
        if (txn.code() != errc) fail_msg("code %d became %d", rc, static_cast<int>(txn.code()));
        assert_true(txn.error().message.find("begin fails as asked") != std::string::npos);
    }
    auto plugin = chorus::load_store_plugin(MEMORY_STORE_PLUGIN);
    assert_true(plugin.ok());
    auto refused = chorus::open_plugin_store(**plugin, "fail=open:1", *chorus::parse_seal_key(kKeyHex));
    assert_int_equal(static_cast<int>(refused.code()), static_cast<int>(Errc::unavailable));
    // No fleet key, no store.
    auto keyless = chorus::open_plugin_store(**plugin, "memory", chorus::SecretBytes{});
    assert_int_equal(static_cast<int>(keyless.code()), static_cast<int>(Errc::config));
    // Every other entry's failure reaches the caller too.
    for (const char* entry : {"put_record", "put_live", "erase", "list", "spend"}) {
        auto store = memory_store(std::string("fail=") + entry + ":3");
        Errc got = Errc::internal;
        if (std::string(entry) == "list") {
            got = store->list_users().code();
        } else if (std::string(entry) == "spend") {
            got = store->spend_like_a_write().code();
        } else {
            auto txn = store->begin("dave");
            assert_true(txn.ok());
            got = std::string(entry) == "put_record" ? (*txn)->put_record(record_with_key("k")).code()
                  : std::string(entry) == "put_live" ? (*txn)->put_live(chorus::LiveState{}).code()
                                                     : (*txn)->erase().code();
        }
        if (got != Errc::busy) fail_msg("%s: %d", entry, static_cast<int>(got));
    }
}

// db status|init|migrate: the plugin's report comes back to print, also when
// the action fails; a configuration whose store is not a plugin's is refused.
void test_store_admin_runs_the_plugin_and_returns_its_report(void**) {
    TempDir dir;
    char* report = nullptr;
    char* message = nullptr;
    const std::string config = memory_config(dir, "memory");
    assert_int_equal(chorus_store_admin(config.c_str(), nullptr, "status", &report, &message), CHORUS_OK);
    assert_string_equal(report, "status");
    assert_null(message);
    chorus_string_free(&report);

    const std::string failing = memory_config(dir, "fail=admin:4");
    assert_int_equal(chorus_store_admin(failing.c_str(), nullptr, "migrate", &report, &message),
                     CHORUS_ERR_CONFIG);
    assert_string_equal(report, "migrate");
    assert_non_null(message);
    assert_true(std::string(message).find("admin fails as asked") != std::string::npos);
    chorus_string_free(&report);
    chorus_string_free(&message);

    const std::string file_store = dir.file("file.yaml");
    chorus_test::write_file(file_store, "store:\n  backend: file\n  path: " + dir.file("state") + "\n", 0644);
    assert_int_equal(chorus_store_admin(file_store.c_str(), nullptr, "init", &report, &message),
                     CHORUS_ERR_CONFIG);
    assert_true(std::string(message).find("not postgresql") != std::string::npos);
    chorus_string_free(&message);
    assert_int_equal(chorus_store_admin(dir.file("missing.yaml").c_str(), nullptr, "init", &report, &message),
                     CHORUS_ERR_CONFIG);
    chorus_string_free(&message);
}

// migrate-store: every user of the file store is copied once (sealed on the
// way); a user the database has already is left and named; a failing
// database stops the copy and says so.
void test_migrate_from_file_copies_each_user_once(void**) {
    TempDir dir;
    const std::string config = memory_config(dir, "memory");
    {
        chorus::FileStoreOptions fo;
        fo.dir = dir.file("state");
        fo.seal_key = *chorus::parse_seal_key(kKeyHex);
        auto files = chorus::open_file_store(fo);
        assert_true(files.ok());
        for (const char* u : {"erin", "frank"}) {
            auto txn = (*files)->begin(u);
            assert_true(txn.ok());
            assert_true((*txn)->put_record(record_with_key(std::string("key-of-") + u)).ok());
        }
    }
    char* report = nullptr;
    char* message = nullptr;
    assert_int_equal(chorus_store_admin(config.c_str(), nullptr, "migrate-from-file", &report, &message),
                     CHORUS_OK);
    assert_non_null(strstr(report, "copied 2 user(s)"));
    assert_null(message);
    chorus_string_free(&report);
    assert_non_null(stored_text("erin"));
    assert_null(strstr(stored_text("erin"), "key-of-erin"));

    assert_int_equal(chorus_store_admin(config.c_str(), nullptr, "migrate-from-file", &report, &message),
                     CHORUS_OK);
    assert_non_null(strstr(report, "copied 0 user(s)"));
    assert_non_null(strstr(report, "2 skipped"));
    assert_non_null(strstr(message, "erin: already in the database"));
    chorus_string_free(&report);
    chorus_string_free(&message);

    const std::string down = memory_config(dir, "fail=begin:1");
    assert_int_equal(chorus_store_admin(down.c_str(), nullptr, "migrate-from-file", &report, &message),
                     CHORUS_ERR_IO);
    assert_non_null(strstr(report, "1 failed"));
    assert_non_null(strstr(message, "begin fails as asked"));
    chorus_string_free(&report);
    chorus_string_free(&message);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plugin_that_is_not_a_shared_object_is_unsupported),
        cmocka_unit_test(test_a_shared_object_without_the_plugin_entry_is_unsupported),
        cmocka_unit_test(test_a_plugin_others_could_change_is_refused),
        cmocka_unit_test(test_store_admin_refuses_what_a_login_refuses),
        cmocka_unit_test(test_a_plugin_of_another_contract_is_unsupported),
        cmocka_unit_test(test_rows_cross_sealed_and_come_back),
        cmocka_unit_test(test_a_write_after_another_conflicts),
        cmocka_unit_test(test_an_unsealed_key_in_a_row_is_corrupt),
        cmocka_unit_test(test_every_plugin_code_keeps_its_meaning),
        cmocka_unit_test(test_store_admin_runs_the_plugin_and_returns_its_report),
        cmocka_unit_test(test_migrate_from_file_copies_each_user_once),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
