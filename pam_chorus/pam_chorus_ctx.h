/* SPDX-License-Identifier: BSD-2-Clause */
/* The library context of a PAM handle: made once, at the first stage that
 * needs it, and shared by the later stages of the same handle (auth,
 * account, password), so the configuration is read and the store opened
 * once per login rather than once per stage. */
#ifndef PAM_CHORUS_CTX_H
#define PAM_CHORUS_CTX_H

#include <security/pam_modules.h>

#include <chorus/chorus.h>

#include "pam_chorus_args.h"

/*
 * Sets *ctx to the handle's context for these arguments: the one kept on the
 * handle when it was made with the same config= and debug, by a process with
 * the same effective uid in the same process (a process that changed
 * privileges in between, or a forked child, gets a new one), else a new one, kept on the handle when
 * possible. *owned is 1 when the caller must free it (it could not be kept). Returns a chorus_rc.
 */
int chorus_pam_ctx(pam_handle_t* pamh, const struct chorus_args* args, chorus_log_fn log, chorus_ctx_t** ctx,
                   int* owned);

#endif
