/* SPDX-License-Identifier: BSD-2-Clause */
#include "pam_chorus_args.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include <chorus/chorus.h>

int chorus_args_parse(pam_handle_t* pamh, int argc, const char** argv, struct chorus_args* out) {
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc; i++) {
        const char* a = argv[i];
        if (strncmp(a, "config=", 7) == 0 && a[7] == '/')
            out->config = a + 7;
        else if (strcmp(a, "debug") == 0)
            out->debug = 1;
        else if (strcmp(a, "mode=reset") == 0)
            out->reset_mode = 1;
        else if (strcmp(a, "mode=change") == 0)
            out->reset_mode = 0;
        else if (strcmp(a, "use_first_pass") == 0)
            out->use_first_pass = 1;
        else if (strcmp(a, "try_first_pass") == 0)
            out->try_first_pass = 1;
        else if (strcmp(a, "forward_pass") == 0)
            out->forward_pass = 1;
        else if (strcmp(a, "qr=utf8") == 0)
            out->qr_flags = 0;
        else if (strcmp(a, "qr=ansi") == 0)
            out->qr_flags = CHORUS_ACCOUNT_QR_ANSI;
        else if (strcmp(a, "qr=ascii") == 0)
            out->qr_flags = CHORUS_ACCOUNT_QR_ASCII;
        else {
            pam_syslog(pamh, LOG_ERR, "denying: unknown or malformed argument \"%s\"", a);
            return -1;
        }
    }
    return 0;
}

/* Splits "password" + code: the code to *code, the password back to PAM_AUTHTOK. */
static int split_combined(pam_handle_t* pamh, const char* combined, int digits, char** code, char** whole) {
    size_t len = strlen(combined);
    *whole = strdup(combined);
    if (*whole == NULL) return PAM_BUF_ERR;
    if (digits <= 0) return PAM_AUTH_ERR;
    if (len < (size_t)digits) /* no room for a code: all password, and an empty (wrong) code */
        digits = 0;
    *code = strdup(combined + len - (size_t)digits);
    char* password = strndup(combined, len - (size_t)digits);
    if (*code == NULL || password == NULL) {
        chorus_string_free(code);
        chorus_string_free(&password);
        chorus_string_free(whole);
        return PAM_BUF_ERR;
    }
    int rc = pam_set_item(pamh, PAM_AUTHTOK, password);
    chorus_string_free(&password);
    if (rc != PAM_SUCCESS) {
        chorus_string_free(code);
        chorus_string_free(whole);
    }
    return rc;
}

int chorus_args_take_code(const struct chorus_args* args, pam_handle_t* pamh, int digits, char** code,
                          char** whole) {
    *code = NULL;
    *whole = NULL;
    if (args->use_first_pass || args->try_first_pass) {
        const void* item = NULL;
        if (pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL)
            return split_combined(pamh, item, digits, code, whole);
        if (args->use_first_pass) return PAM_AUTH_ERR;
    }
    if (!args->forward_pass) return PAM_SUCCESS;
    char* combined = NULL;
    int rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &combined, "Password and verification code: ");
    if (rc != PAM_SUCCESS || combined == NULL) return rc == PAM_SUCCESS ? PAM_CONV_ERR : rc;
    rc = split_combined(pamh, combined, digits, code, whole);
    chorus_string_free(&combined);
    return rc;
}
