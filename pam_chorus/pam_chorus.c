/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_chorus: the PAM glue of Chorus. It reads its arguments, builds a
 * library context, calls one library function per PAM entry point and maps
 * the result to a PAM code in one place (map_rc). Every error maps to a
 * failing code: never to PAM_IGNORE, never to PAM_SUCCESS.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include <chorus/chorus.h>

#include "pam_chorus_args.h"
#include "pam_chorus_ctx.h"

#define VETTED_KEY "pam_chorus_password_vetted"
#define BREAK_GLASS_KEY "pam_chorus_break_glass"

/* Everything is hidden by default; only the entry points are visible (and the
 * version script keeps it so). */
#define CHORUS_PAM_ENTRY __attribute__((visibility("default"))) PAM_EXTERN int

enum stage { STAGE_AUTH, STAGE_ACCOUNT, STAGE_PASSWORD };

static void log_to_syslog(void* arg, int priority, const char* message) {
    pam_syslog((pam_handle_t*)arg, priority, "%s", message);
}

/* Arguments, user name and library context: what every entry point needs. */
struct call {
    pam_handle_t* pamh;
    struct chorus_args args;
    const char* user;
    chorus_ctx_t* ctx;
    int ctx_owned; /* ctx is this call's alone (not kept on the handle) */
    chorus_prompter prompter;
    int silent; /* PAM_SILENT: show no text (failures are still logged) */
};

static int conv_show(void* arg, chorus_msg_kind kind, const char* text) {
    const struct call* c = arg;
    if (c->silent) return 0;
    int style = kind == CHORUS_MSG_ERROR ? PAM_ERROR_MSG : PAM_TEXT_INFO;
    return pam_prompt(c->pamh, style, NULL, "%s", text) == PAM_SUCCESS ? 0 : -1;
}

static int conv_ask(void* arg, int echo, const char* prompt, char** answer) {
    const struct call* c = arg;
    int style = echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF;
    *answer = NULL;
    return pam_prompt(c->pamh, style, answer, "%s", prompt) == PAM_SUCCESS && *answer ? 0 : -1;
}

/* The one place a library result becomes a PAM code. */
static int map_rc(int rc, enum stage stage) {
    switch (rc) {
    case CHORUS_OK:
        return PAM_SUCCESS;
    case CHORUS_ERR_BAD_CODE:
    case CHORUS_ERR_REPLAY:
    case CHORUS_ERR_BAD_USERNAME:
        return stage == STAGE_PASSWORD ? PAM_AUTHTOK_ERR : PAM_AUTH_ERR;
    case CHORUS_ERR_LOCKED:
        return stage == STAGE_AUTH ? PAM_MAXTRIES : PAM_PERM_DENIED;
    case CHORUS_ERR_NOT_ENROLLED:
        return PAM_PERM_DENIED;
    case CHORUS_ERR_NO_USER:
        return PAM_USER_UNKNOWN;
    case CHORUS_ERR_PASSWORD_RULES:
    case CHORUS_ERR_PASSWORD_REUSED:
        return PAM_AUTHTOK_ERR;
    case CHORUS_ERR_NOMEM:
        return PAM_BUF_ERR;
    case CHORUS_ERR_PERMISSION:
        return stage == STAGE_AUTH ? PAM_AUTH_ERR : PAM_PERM_DENIED;
    case CHORUS_ERR_CONV:
        return PAM_CONV_ERR;
    case CHORUS_ERR_IO:
    case CHORUS_ERR_UNAVAILABLE:
    case CHORUS_ERR_UNSAFE_FILE:
    case CHORUS_ERR_CORRUPT:
    case CHORUS_ERR_BUSY:
        return stage == STAGE_PASSWORD ? PAM_AUTHTOK_ERR : PAM_AUTHINFO_UNAVAIL;
    default: /* config, internal, unsupported, invalid argument, anything new */
        return PAM_SERVICE_ERR;
    }
}

static int call_begin(struct call* c, pam_handle_t* pamh, int flags, int argc, const char** argv) {
    memset(c, 0, sizeof *c);
    c->pamh = pamh;
    c->silent = (flags & PAM_SILENT) != 0;
    c->prompter.arg = c;
    c->prompter.show = conv_show;
    c->prompter.ask = conv_ask;
    if (chorus_args_parse(pamh, argc, argv, &c->args) != 0) return PAM_SERVICE_ERR;
    int rc = pam_get_user(pamh, &c->user, NULL);
    if (rc != PAM_SUCCESS) return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
    if (c->user == NULL || *c->user == '\0') return PAM_USER_UNKNOWN;
    rc = chorus_pam_ctx(pamh, &c->args, log_to_syslog, &c->ctx, &c->ctx_owned);
    if (rc != CHORUS_OK) {
        pam_syslog(pamh, LOG_ERR, "denying: Chorus could not start (%s)", chorus_strerror(rc));
        return rc == CHORUS_ERR_NOMEM ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
    }
    /* failmode.allow_console decides by these while the store is down; the
     * audit events report them. */
    const void *tty = NULL, *rhost = NULL, *service = NULL;
    if (pam_get_item(pamh, PAM_TTY, &tty) != PAM_SUCCESS) tty = NULL;
    if (pam_get_item(pamh, PAM_RHOST, &rhost) != PAM_SUCCESS) rhost = NULL;
    if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS) service = NULL;
    rc = chorus_ctx_set_origin(c->ctx, tty, rhost);
    if (rc == CHORUS_OK) rc = chorus_ctx_set_service(c->ctx, service);
    if (rc != CHORUS_OK) return rc == CHORUS_ERR_NOMEM ? PAM_BUF_ERR : PAM_SERVICE_ERR;
    return PAM_SUCCESS;
}

static int call_end(struct call* c, int pam_rc) {
    if (c->ctx_owned) chorus_ctx_free(&c->ctx);
    c->ctx = NULL; /* else the handle keeps it for the next stage */
    return pam_rc;
}

/* pam_set_data cleanup for malloc'd data. */
static void free_data(pam_handle_t* pamh, void* data, int error_status) {
    (void)pamh, (void)error_status;
    free(data);
}

/* What the first password instance vetted: for whom, and which password. */
struct vetted {
    char* user;
    char* password;
};

/* pam_set_data cleanup for a struct vetted (and for one never attached). */
static void free_vetted(pam_handle_t* pamh, void* data, int error_status) {
    (void)pamh, (void)error_status;
    struct vetted* v = data;
    if (v == NULL) return;
    if (v->password != NULL) explicit_bzero(v->password, strlen(v->password));
    free(v->password);
    free(v->user);
    free(v);
}

/* Equal strings, in time that depends on the lengths only. */
static int same_secret(const char* a, const char* b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++) diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* The user name as it may appear in a log line: control bytes and DEL as
 * \xNN, so a name cannot forge log lines (the library escapes its own). */
static const char* log_name(const char* user, char* buf, size_t len) {
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (const unsigned char* p = (const unsigned char*)user; *p && o + 5 < len; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 0xf];
        } else {
            buf[o++] = (char)*p;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* A library failure: log it (without secrets) and map it. */
static int call_fail(struct call* c, int rc, enum stage stage, const char* what) {
    int pam_rc = map_rc(rc, stage);
    if (pam_rc == PAM_SUCCESS) /* cannot happen; refuse rather than trust it */
        pam_rc = PAM_SERVICE_ERR;
    char name[1024];
    pam_syslog(c->pamh, rc == CHORUS_ERR_BAD_CODE || rc == CHORUS_ERR_REPLAY ? LOG_NOTICE : LOG_WARNING,
               "%s for %s: %s (%s)", what, log_name(c->user, name, sizeof name), chorus_strerror(rc),
               chorus_ctx_last_error(c->ctx));
    return call_end(c, pam_rc);
}

CHORUS_PAM_ENTRY pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    struct call c;
    int prc = call_begin(&c, pamh, flags, argc, argv);
    if (prc != PAM_SUCCESS) return call_end(&c, prc);

    char *code = NULL, *whole = NULL;
    prc = chorus_args_take_code(&c.args, pamh, chorus_ctx_code_digits(c.ctx), &code, &whole);
    if (prc != PAM_SUCCESS) return call_end(&c, prc);

    chorus_login_result result = 0;
    int rc = chorus_login_authenticate(c.ctx, c.user, &c.prompter, code, &result);
    chorus_string_free(&code);
    if (rc == CHORUS_OK && result == CHORUS_LOGIN_NOT_REQUIRED && whole != NULL) {
        /* No code was due: what was typed is all password. */
        prc = pam_set_item(pamh, PAM_AUTHTOK, whole);
        if (prc != PAM_SUCCESS) {
            chorus_string_free(&whole);
            return call_end(&c, prc);
        }
    }
    chorus_string_free(&whole);
    if (rc != CHORUS_OK) return call_fail(&c, rc, STAGE_AUTH, "second factor refused");
    if (result == CHORUS_LOGIN_VERIFIED || result == CHORUS_LOGIN_FAILMODE) return call_end(&c, PAM_SUCCESS);
    if (result == CHORUS_LOGIN_BREAK_GLASS) {
        /* The account stage of this handle may then pass while the store is
         * down, for this user only (PAM_USER could change in between). */
        char* who = strdup(c.user);
        prc = who != NULL ? pam_set_data(pamh, BREAK_GLASS_KEY, who, free_data) : PAM_BUF_ERR;
        if (prc != PAM_SUCCESS) free(who);
        return call_end(&c, prc == PAM_SUCCESS ? PAM_SUCCESS : PAM_BUF_ERR);
    }
    if (result != CHORUS_LOGIN_NOT_REQUIRED) /* a result this module does not know */
        return call_end(&c, PAM_SERVICE_ERR);
    /* No method registered: not a success of ours; the account stage applies the policy. */
    if (c.args.debug) {
        char name[1024];
        pam_syslog(pamh, LOG_DEBUG, "%s has no second factor yet; account stage decides",
                   log_name(c.user, name, sizeof name));
    }
    return call_end(&c, PAM_IGNORE);
}

CHORUS_PAM_ENTRY pam_sm_setcred(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    (void)pamh, (void)flags, (void)argc, (void)argv;
    return PAM_SUCCESS; /* Chorus grants no credentials */
}

CHORUS_PAM_ENTRY pam_sm_acct_mgmt(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    struct call c;
    int prc = call_begin(&c, pamh, flags, argc, argv);
    if (prc != PAM_SUCCESS) return call_end(&c, prc);
    const void* break_glass = NULL;
    unsigned flags_out = c.args.qr_flags | (c.silent ? CHORUS_ACCOUNT_SILENT : 0u);
    if (pam_get_data(pamh, BREAK_GLASS_KEY, &break_glass) == PAM_SUCCESS && break_glass != NULL) {
        if (strcmp(break_glass, c.user) == 0) flags_out |= CHORUS_ACCOUNT_BREAK_GLASS;
        /* Spent by this account stage, whatever it decides. */
        if (pam_set_data(pamh, BREAK_GLASS_KEY, NULL, NULL) != PAM_SUCCESS) return call_end(&c, PAM_BUF_ERR);
    }
    int rc = chorus_login_account(c.ctx, c.user, &c.prompter, flags_out);
    if (rc != CHORUS_OK) return call_fail(&c, rc, STAGE_ACCOUNT, "account refused");
    return call_end(&c, PAM_SUCCESS);
}

/* Whether root is setting someone else's password (passwd USER as root). An
 * expired password changed at login is the user's own change, although
 * sshd, login and display managers run it as root (pam_unix agrees). */
static int changed_by_admin(pam_handle_t* pamh, const char* user, int flags) {
    if (getuid() != 0 || (flags & PAM_CHANGE_EXPIRED_AUTHTOK)) return 0;
    const struct passwd* pw = pam_modutil_getpwnam(pamh, user);
    return pw != NULL && pw->pw_uid != 0;
}

CHORUS_PAM_ENTRY pam_sm_chauthtok(pam_handle_t* pamh, int flags, int argc, const char** argv) {
    struct call c;
    int prc = call_begin(&c, pamh, flags, argc, argv);
    if (prc != PAM_SUCCESS) return call_end(&c, prc);
    if (flags & PAM_PRELIM_CHECK) {
        /* Each pam_chauthtok call starts here: a mark left by an earlier
         * call on this handle (whose later module failed before the second
         * instance ran) must not vouch for this call's password. */
        return call_end(
            &c, pam_set_data(pamh, VETTED_KEY, NULL, NULL) == PAM_SUCCESS ? PAM_SUCCESS : PAM_BUF_ERR);
    }

    const char* password = NULL;
    const void* data = NULL;
    if (pam_get_data(pamh, VETTED_KEY, &data) == PAM_SUCCESS && data != NULL) {
        /* Second instance, after pam_unix changed the password: remember it,
         * but only the password the first instance vetted in this call, for
         * this user. The mark is spent either way; anything else is a new
         * change and is vetted. */
        const struct vetted* v = data;
        int recorded = 0;
        if (pam_get_item(pamh, PAM_AUTHTOK, (const void**)&password) == PAM_SUCCESS && password != NULL &&
            strcmp(v->user, c.user) == 0 && same_secret(v->password, password))
            recorded = 1;
        if (pam_set_data(pamh, VETTED_KEY, NULL, NULL) != PAM_SUCCESS) return call_end(&c, PAM_BUF_ERR);
        if (recorded) {
            int rc = chorus_password_record(c.ctx, c.user, password);
            if (rc != CHORUS_OK) return call_fail(&c, rc, STAGE_PASSWORD, "password history not recorded");
            return call_end(&c, PAM_SUCCESS);
        }
        if (password == NULL) return call_end(&c, PAM_AUTHTOK_ERR);
        /* Another password than the one vetted: this is a new change; vet it. */
    }

    prc = pam_get_authtok(pamh, PAM_AUTHTOK, &password, NULL);
    if (prc != PAM_SUCCESS) return call_end(&c, prc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : prc);
    const struct passwd* pw = pam_modutil_getpwnam(pamh, c.user);
    int rc = chorus_login_password(
        c.ctx, c.user, pw ? pw->pw_gecos : NULL, password,
        c.args.reset_mode ? CHORUS_PW_RESET : CHORUS_PW_CHANGE,
        /* A reset runs as root for the user: it is not an admin's change. */
        !c.args.reset_mode && changed_by_admin(pamh, c.user, flags) ? CHORUS_PW_BY_ADMIN : 0u, &c.prompter);
    if (rc != CHORUS_OK) {
        pam_set_item(pamh, PAM_AUTHTOK, NULL); /* a refused password must not reach the next module */
        return call_fail(&c, rc, STAGE_PASSWORD, "new password refused");
    }
    struct vetted* v = calloc(1, sizeof *v);
    if (v != NULL) {
        v->user = strdup(c.user);
        v->password = strdup(password);
    }
    if (v == NULL || v->user == NULL || v->password == NULL ||
        pam_set_data(pamh, VETTED_KEY, v, free_vetted) != PAM_SUCCESS) {
        free_vetted(pamh, v, 0);
        return call_end(&c, PAM_BUF_ERR);
    }
    return call_end(&c, PAM_SUCCESS);
}
