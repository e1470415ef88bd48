// SPDX-License-Identifier: BSD-2-Clause
// chorus.yaml, store.conninfo: a libpq service is refused, because libpq
// finds the service file through PGSERVICEFILE, HOME or PGSYSCONFDIR, which
// the user logging in sets under su and sudo, and the entry would choose the
// server (review finding: service file redirects the fleet store). The
// plugin refuses it again (tests/postgresql/test_pg_conn.cpp).
#include "config_fixture.hpp"

using namespace config_test;

namespace {

std::string store_with(const std::string& conninfo) {
    std::string quoted;  // a YAML double-quoted scalar
    for (char c : conninfo) quoted += c == '\\' || c == '"' ? std::string{'\\', c} : std::string{c};
    return "store:\n  backend: postgresql\n  seal_key_file: /etc/k\n  conninfo: \"" + quoted + "\"\n";
}

void test_conninfo_naming_a_service_is_refused(void**) {
    for (const char* conninfo :
         {"service=chorus", "host=db service=chorus dbname=chorus", "  service = chorus", "service=''",
          "application_name='a b' service=x", "postgresql://db/chorus?service=chorus",
          "postgres:///?sslmode=require&service=x", "postgresql:///chorus?servic%65=x"}) {
        const std::string m = parse_error(store_with(conninfo));
        expect_contains(m, "test.yaml:4:13: store.conninfo: must not name a service");
        expect_contains(m, "PGSERVICEFILE, HOME or PGSYSCONFDIR");
    }
}

void test_service_inside_a_value_is_not_a_keyword(void**) {
    for (const char* conninfo :
         {"host=db dbname=chorus user=host_a", "application_name='service=x' host=db",
          "options='-c a\\' service=x' host=db", "dbname=service host=db",
          "postgresql://db/service?application_name=service%3Dx", "postgresql://service@db/chorus"}) {
        Config c = parse_ok(store_with(conninfo));
        assert_string_equal(c.store.conninfo.c_str(), conninfo);
    }
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conninfo_naming_a_service_is_refused),
        cmocka_unit_test(test_service_inside_a_value_is_not_a_keyword),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
