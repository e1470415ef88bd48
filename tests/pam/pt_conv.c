/* SPDX-License-Identifier: BSD-2-Clause */
/* The PAM test fixture's pure helpers: TOTP codes computed independently of
 * the library, and the scripted PAM conversation that records what it saw. */
#include "pt_fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_totp.h"

/* ---- TOTP --------------------------------------------------------------- */

void pt_totp(const char* secret_base32, time_t t, char out[16]) {
    assert_int_equal(ref_totp_base32(secret_base32, t, out), 0);
}

/* ---- conversation --------------------------------------------------------- */

static int conv_fn(int num_msg, const struct pam_message** msg, struct pam_response** resp, void* appdata) {
    struct pt_conv* c = appdata;
    struct pam_response* r = calloc((size_t)num_msg, sizeof *r);
    if (r == NULL) return PAM_BUF_ERR;
    for (int i = 0; i < num_msg; i++) {
        int style = msg[i]->msg_style;
        if (c->n < PT_MAX_MSGS) {
            c->styles[c->n] = style;
            c->msgs[c->n++] = strdup(msg[i]->msg ? msg[i]->msg : "");
        }
        if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON) {
            if (!c->refuse_texts) continue;
            for (int j = 0; j < i; j++) free(r[j].resp);
            free(r);
            return PAM_CONV_ERR;
        }
        char* answer = c->hook ? c->hook(c, style, msg[i]->msg) : NULL;
        if (answer == NULL) {
            const char* const* queue = style == PAM_PROMPT_ECHO_OFF ? c->echo_off : c->echo_on;
            size_t* used = style == PAM_PROMPT_ECHO_OFF ? &c->off_used : &c->on_used;
            if (*used >= PT_MAX_ANSWERS || queue[*used] == NULL) {
                for (int j = 0; j < i; j++) free(r[j].resp);
                free(r);
                return PAM_CONV_ERR; /* the script has no answer: like a closed terminal */
            }
            answer = strdup(queue[(*used)++]);
        }
        r[i].resp = answer;
    }
    *resp = r;
    return PAM_SUCCESS;
}

void pt_conv_free(struct pt_conv* c) {
    for (size_t i = 0; i < c->n; i++) free(c->msgs[i]);
    c->n = 0;
}

int pt_conv_find(const struct pt_conv* c, int style, const char* needle) {
    for (size_t i = 0; i < c->n; i++)
        if ((style < 0 || c->styles[i] == style) && strstr(c->msgs[i], needle)) return (int)i;
    return -1;
}

int pt_conv_prompts(const struct pt_conv* c) {
    int n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->styles[i] == PAM_PROMPT_ECHO_OFF || c->styles[i] == PAM_PROMPT_ECHO_ON;
    return n;
}

void pt_conv_dump(const struct pt_conv* c) {
    static const char* names[] = {"?", "echo-off", "echo-on", "error", "info"};
    for (size_t i = 0; i < c->n; i++)
        fprintf(stderr, "  [%s] %s\n", c->styles[i] >= 1 && c->styles[i] <= 4 ? names[c->styles[i]] : "?",
                c->msgs[i]);
}

const char* pt_pam_name(int rc) {
    switch (rc) {
#define N(x) \
    case x:  \
        return #x
        N(PAM_SUCCESS);
        N(PAM_AUTH_ERR);
        N(PAM_MAXTRIES);
        N(PAM_PERM_DENIED);
        N(PAM_IGNORE);
        N(PAM_SERVICE_ERR);
        N(PAM_AUTHINFO_UNAVAIL);
        N(PAM_USER_UNKNOWN);
        N(PAM_AUTHTOK_ERR);
        N(PAM_CONV_ERR);
        N(PAM_BUF_ERR);
        N(PAM_SYSTEM_ERR);
        N(PAM_AUTHTOK_RECOVERY_ERR);
        N(PAM_NEW_AUTHTOK_REQD);
        N(PAM_ACCT_EXPIRED);
        N(PAM_CRED_INSUFFICIENT);
        N(PAM_ABORT);
        N(PAM_TRY_AGAIN);
        N(PAM_INCOMPLETE);
        N(PAM_AUTHTOK_LOCK_BUSY);
        N(PAM_AUTHTOK_DISABLE_AGING);
#undef N
    default:
        return "(other)";
    }
}

void pt_expect_(const char* service, const char* user, struct pt_conv* c, struct pam_testcase* cases,
                size_t count, const char* file, int line) {
    enum pamtest_err perr = _pamtest_conv(service, user, conv_fn, c, cases, count, NULL);
    if (perr == PAMTEST_ERR_OK) return;
    const struct pam_testcase* bad = _pamtest_failed_case(cases, count);
    if (bad != NULL) {
        fprintf(stderr, "%s:%d: service %s, case %d: got %s (%d), expected %s (%d); conversation:\n", file,
                line, service, (int)(bad - cases), pt_pam_name(bad->op_rv), bad->op_rv,
                pt_pam_name(bad->expected_rv), bad->expected_rv);
    } else {
        fprintf(stderr, "%s:%d: service %s: pamtest error %d; conversation:\n", file, line, service,
                (int)perr);
    }
    pt_conv_dump(c);
    _fail(file, line);
}

int pt_pam(const char* service, const char* user, struct pt_conv* c, enum pamtest_ops op) {
    return pt_pam_flags(service, user, c, op, 0);
}

int pt_pam_flags(const char* service, const char* user, struct pt_conv* c, enum pamtest_ops op, int flags) {
    struct pam_testcase cases[] = {pam_test_flags(op, PAM_SUCCESS, flags)};
    cases[0].op_rv = -1;
    enum pamtest_err perr = _pamtest_conv(service, user, conv_fn, c, cases, 1, NULL);
    if (perr != PAMTEST_ERR_OK && perr != PAMTEST_ERR_CASE) fail_msg("pamtest error %d", (int)perr);
    return cases[0].op_rv;
}
