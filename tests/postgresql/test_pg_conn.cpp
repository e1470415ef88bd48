// SPDX-License-Identifier: BSD-2-Clause
// build_params (pg_conn.cpp) without a server: a login under su or sudo runs
// with the caller's environment, which must not choose the fleet server or
// the files libpq reads. Regression for the review finding "a libpq service
// file found through PGSERVICEFILE, HOME or PGSYSCONFDIR redirects the
// store"; pg_hostile_env.py checks the same against a real server.
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <map>
#include <string>

#include "store/postgresql/pg_conn.hpp"

// cmocka last: its fail() macro breaks standard headers included after it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

namespace {

using chorus::pg::build_params;

// The caller's environment in these tests: the attacker's directories.
const char* const kEnv[] = {"HOME", "PGSERVICEFILE", "PGSYSCONFDIR"};

int hostile_env(void**) {
    setenv("HOME", "/tmp/attacker", 1);
    setenv("PGSERVICEFILE", "/tmp/attacker/pg_service.conf", 1);
    setenv("PGSYSCONFDIR", "/tmp/attacker", 1);
    return 0;
}

int clean_env(void**) {
    for (const char* v : kEnv) unsetenv(v);
    for (const char* v : {"PGSERVICE", "PGSSLCRL"}) unsetenv(v);
    return 0;
}

std::map<std::string, std::string> pinned(const std::string& conninfo) {
    auto r = build_params(conninfo);
    if (!r.ok()) {
        print_error("build_params(%s): %s\n", conninfo.c_str(), r.error().message.c_str());
        fail();
    }
    std::map<std::string, std::string> m;
    for (std::size_t i = 0; i < r->keys.size(); ++i) m[r->keys[i]] = r->values[i];
    return m;
}

void expect_refused(const std::string& conninfo, const char* why) {
    auto r = build_params(conninfo);
    if (r.ok() || r.code() != chorus::Errc::config || r.error().message.find(why) == std::string::npos) {
        print_error("build_params(%s): want a config error naming \"%s\", got: %s\n", conninfo.c_str(), why,
                    r.ok() ? "ok" : r.error().message.c_str());
        fail();
    }
}

void test_conninfo_naming_a_service_is_refused(void**) {
    for (const char* conninfo : {"service=chorus", "host=db dbname=chorus user=h service=chorus",
                                 "service=''", "postgresql://db/chorus?service=chorus"})
        expect_refused(conninfo, "store.conninfo: must not name a service");
}

void test_pgservice_is_refused_even_empty(void**) {
    // libpq looks up PGSERVICE="" too: the "[]" entry of the service file.
    setenv("PGSERVICE", "", 1);
    expect_refused("host=db dbname=chorus user=h", "environment variable PGSERVICE is set");
    setenv("PGSERVICE", "chorus", 1);
    expect_refused("host=db dbname=chorus user=h", "environment variable PGSERVICE is set");
}

void test_home_files_come_from_the_password_database(void**) {
    const struct passwd* pw = getpwuid(geteuid());
    assert_non_null(pw);
    const std::string home = pw->pw_dir;
    auto m = pinned("host=db dbname=chorus user=h sslmode=verify-full");
    const std::map<std::string, std::string> want = {
        {"passfile", home + "/.pgpass"},
        {"sslrootcert", home + "/.postgresql/root.crt"},
        {"sslcert", home + "/.postgresql/postgresql.crt"},
        {"sslkey", home + "/.postgresql/postgresql.key"},
        {"sslcrl", home + "/.postgresql/root.crl"},
    };
    for (const auto& [key, value] : want) {
        if (m[key] != value) {
            print_error("%s: got \"%s\", want \"%s\" (HOME=/tmp/attacker)\n", key.c_str(), m[key].c_str(),
                        value.c_str());
            fail();
        }
    }
    for (const auto& [key, value] : m)
        if (value.find("/tmp/attacker") != std::string::npos) fail_msg("%s=%s", key.c_str(), value.c_str());
}

void test_files_the_admin_names_are_kept(void**) {
    auto m = pinned("host=db sslrootcert=/etc/chorus/ca.crt passfile=/etc/chorus/pgpass");
    assert_true(m.count("sslrootcert") == 0 && m.count("passfile") == 0);
    assert_string_equal(m["dbname"].c_str(),
                        "host=db sslrootcert=/etc/chorus/ca.crt passfile=/etc/chorus/pgpass");
}

void test_crl_directory_is_not_switched_off(void**) {
    // With sslcrldir alone libpq loads no CRL file; a pinned one that does
    // not exist would make OpenSSL drop the directory as well.
    auto m = pinned("host=db sslcrldir=/etc/chorus/crl");
    assert_true(m.count("sslcrl") == 0);
    setenv("PGSSLCRL", "/tmp/attacker/empty.crl", 1);
    expect_refused("host=db sslcrldir=/etc/chorus/crl", "environment variable PGSSLCRL is set");
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conninfo_naming_a_service_is_refused, clean_env, clean_env),
        cmocka_unit_test_setup_teardown(test_pgservice_is_refused_even_empty, clean_env, clean_env),
        cmocka_unit_test_setup_teardown(test_home_files_come_from_the_password_database, hostile_env,
                                        clean_env),
        cmocka_unit_test_setup_teardown(test_files_the_admin_names_are_kept, hostile_env, clean_env),
        cmocka_unit_test_setup_teardown(test_crl_directory_is_not_switched_off, hostile_env, clean_env),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
