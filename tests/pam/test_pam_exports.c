/* SPDX-License-Identifier: BSD-2-Clause */
/* Loads the real pam_chorus.so: the PAM entry points resolve, nothing else is exported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char* module_path;

static void test_pam_entry_points_resolve(void** state) {
    (void)state;
    void* h = dlopen(module_path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) fail_msg("dlopen: %s", dlerror());
    const char* names[] = {"pam_sm_authenticate", "pam_sm_setcred", "pam_sm_acct_mgmt", "pam_sm_chauthtok"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) assert_non_null(dlsym(h, names[i]));
    /* The module's own helpers and the library it links stay out of reach through it. */
    assert_null(dlsym(h, "chorus_args_parse"));
    assert_null(dlsym(h, "chorus_args_take_code"));
    assert_null(dlsym(h, "map_rc"));
    dlclose(h);
}

static void test_module_exports_only_pam_sm_symbols(void** state) {
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s'", module_path);
    FILE* p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024];
    int exported = 0;
    while (fgets(line, sizeof line, p)) {
        char addr[64], type[8], name[900];
        if (sscanf(line, "%63s %7s %899s", addr, type, name) != 3) continue;
        if (strcmp(type, "A") == 0) /* version node */
            continue;
        if (strncmp(name, "pam_sm_", 7) != 0) {
            fprintf(stderr, "unexpected export: %s\n", name);
            fail();
        }
        exported++;
    }
    assert_int_equal(pclose(p), 0);
    assert_true(exported >= 4);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s pam_chorus.so\n", argv[0]);
        return 2;
    }
    module_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pam_entry_points_resolve),
        cmocka_unit_test(test_module_exports_only_pam_sm_symbols),
    };
    return cmocka_run_group_tests_name("pam_exports", tests, NULL, NULL);
}
