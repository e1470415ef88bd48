// SPDX-License-Identifier: BSD-2-Clause
// Loading the postgresql store plugin (flows/context, open_store): code is
// run only from root's file (the caller's own, when not root) in such a
// directory, that nobody else can write; a file that is not a shared object,
// or a shared object that is not our plugin, is refused as unsupported. The plugin is checked and loaded
// before the seal key is read, so none is configured here.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <chorus/chorus.h>

#include "flows/context.hpp"
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

// chorusctl's entry (chorus_store_admin) goes through the same loader: a
// file that is not our plugin, or one others could change, is refused with
// a message, and nothing runs (the exit status stays a failure).
void test_store_admin_refuses_what_a_login_refuses(void**) {
    TempDir dir;
    int status = 0;
    char* message = nullptr;
    assert_int_equal(chorus_store_admin(nullptr, nullptr, "drop", 0, &status, &message),
                     CHORUS_ERR_INVALID_ARG);
    assert_int_equal(status, 1);
    assert_null(message);
    assert_int_equal(chorus_store_admin(nullptr, nullptr, "init", 0, nullptr, &message),
                     CHORUS_ERR_INVALID_ARG);

    const std::string other = copy_of_a_shared_object(dir, "not-ours.so", 0644);
    status = 0;
    assert_int_equal(chorus_store_admin(nullptr, other.c_str(), "status", 0, &status, &message),
                     CHORUS_ERR_UNSUPPORTED);
    assert_int_equal(status, 1);
    assert_non_null(message);
    assert_true(std::string(message).find("not a store plugin") != std::string::npos);
    chorus_string_free(&message);

    const std::string writable = copy_of_a_shared_object(dir, "writable.so", 0666);
    status = 0;
    assert_int_equal(chorus_store_admin(nullptr, writable.c_str(), "migrate-from-file", 0, &status, &message),
                     CHORUS_ERR_UNSAFE_FILE);
    assert_int_equal(status, 1);
    assert_non_null(message);
    chorus_string_free(&message);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plugin_that_is_not_a_shared_object_is_unsupported),
        cmocka_unit_test(test_a_shared_object_without_the_plugin_entry_is_unsupported),
        cmocka_unit_test(test_a_plugin_others_could_change_is_refused),
        cmocka_unit_test(test_store_admin_refuses_what_a_login_refuses),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
