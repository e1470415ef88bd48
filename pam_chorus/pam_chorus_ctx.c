/* SPDX-License-Identifier: BSD-2-Clause */
#define _GNU_SOURCE
#include "pam_chorus_ctx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CTX_KEY "pam_chorus_ctx"

struct kept_ctx {
    chorus_ctx_t* ctx;
    char* config; /* NULL: the default file */
    int debug;
    uid_t euid;
    pid_t pid; /* the process that made it: a forked child makes its own */
};

static void free_kept(pam_handle_t* pamh, void* data, int error_status) {
    (void)pamh;
    struct kept_ctx* k = data;
    if (k == NULL) return;
    /* In a forked child (PAM_DATA_SILENT, or another pid) the context's
     * store may hold the parent's connection: closing it here would end the
     * parent's session. The child's copy is left to the child's exit. */
    if ((error_status & PAM_DATA_SILENT) != 0 || k->pid != getpid()) return;
    chorus_ctx_free(&k->ctx);
    free(k->config);
    free(k);
}

static int same_config(const char* a, const char* b) {
    if (a == NULL || b == NULL) return a == b;
    return strcmp(a, b) == 0;
}

int chorus_pam_ctx(pam_handle_t* pamh, const struct chorus_args* args, chorus_log_fn log, chorus_ctx_t** ctx,
                   int* owned) {
    *ctx = NULL;
    *owned = 0;
    const void* data = NULL;
    if (pam_get_data(pamh, CTX_KEY, &data) == PAM_SUCCESS && data != NULL) {
        const struct kept_ctx* k = data;
        if (k->ctx != NULL && same_config(k->config, args->config) && k->debug == args->debug &&
            k->euid == geteuid() && k->pid == getpid()) {
            *ctx = k->ctx;
            return CHORUS_OK;
        }
    }
    chorus_ctx_t* made = NULL;
    int rc = chorus_ctx_new(&made, args->config, log, pamh, args->debug ? CHORUS_CTX_DEBUG : 0u);
    if (rc != CHORUS_OK) return rc;
    struct kept_ctx* k = calloc(1, sizeof *k);
    char* config = args->config != NULL ? strdup(args->config) : NULL;
    if (k == NULL || (args->config != NULL && config == NULL)) {
        free(k);
        free(config);
        *ctx = made; /* usable for this call only */
        *owned = 1;
        return CHORUS_OK;
    }
    k->ctx = made;
    k->config = config;
    k->debug = args->debug;
    k->euid = geteuid();
    k->pid = getpid();
    /* Replacing an older entry frees it (its cleanup runs). */
    if (pam_set_data(pamh, CTX_KEY, k, free_kept) != PAM_SUCCESS) {
        k->ctx = NULL;
        free_kept(pamh, k, 0);
        *ctx = made;
        *owned = 1;
        return CHORUS_OK;
    }
    *ctx = made;
    return CHORUS_OK;
}
