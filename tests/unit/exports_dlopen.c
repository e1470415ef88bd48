/* SPDX-License-Identifier: BSD-2-Clause */
/* Loads the real libchorusauth.so.0 and checks that every dynamic symbol it
 * defines is chorus_* (plus the version node), and that the API resolves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* lib_path;

static void test_public_functions_resolve(void** state) {
    (void)state;
    void* h = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(h);
    const char* names[] = {"chorus_strerror",          "chorus_ctx_new",        "chorus_ctx_free",
                           "chorus_verify_code",       "chorus_password_check", "chorus_enrollment_new",
                           "chorus_recovery_codes_new"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) assert_non_null(dlsym(h, names[i]));
    /* Internal C++ symbols must not resolve. */
    assert_null(dlsym(h, "_ZN6chorus11secure_wipeEPvm"));
    dlclose(h);
}

static void test_only_chorus_symbols_are_exported(void** state) {
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", lib_path);
    FILE* p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024];
    int exported = 0;
    while (fgets(line, sizeof line, p)) {
        char addr[64], type[8], name[900];
        if (sscanf(line, "%63s %7s %899s", addr, type, name) != 3) continue;
        if (strcmp(type, "A") == 0) /* version node, e.g. CHORUS_0 */
            continue;
        if (strncmp(name, "chorus_", 7) != 0) {
            fprintf(stderr, "unexpected export: %s\n", name);
            fail();
        }
        exported++;
    }
    assert_int_equal(pclose(p), 0);
    assert_true(exported > 20);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    lib_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_functions_resolve),
        cmocka_unit_test(test_only_chorus_symbols_are_exported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
