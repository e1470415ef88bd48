/* SPDX-License-Identifier: BSD-2-Clause */
/* Module arguments of pam_chorus, and where the code comes from. */
#ifndef PAM_CHORUS_ARGS_H
#define PAM_CHORUS_ARGS_H

#include <security/pam_modules.h>

struct chorus_args {
    const char* config; /* config=FILE; NULL: /etc/chorus/chorus.yaml */
    int debug;          /* debug */
    int reset_mode;     /* mode=reset: reset semantics for password history */
    int use_first_pass; /* code from PAM_AUTHTOK ("password" + code); never prompt */
    int try_first_pass; /* as use_first_pass when PAM_AUTHTOK is set, else prompt */
    int forward_pass;   /* one prompt for password + code; password passed on */
    unsigned qr_flags;  /* qr=utf8|ansi|ascii as CHORUS_ACCOUNT_QR_* */
};

/* Parses argv. An unknown or malformed argument is logged and refused
 * (-1): a typo must not quietly change what the module enforces. */
int chorus_args_parse(pam_handle_t* pamh, int argc, const char** argv, struct chorus_args* out);

/*
 * Where the code comes from. Without first-pass options: *code = NULL (the
 * library prompts). With forward_pass the module prompts once for
 * "Password and verification code" and with use_first_pass/try_first_pass it
 * reads PAM_AUTHTOK; the last `digits` characters are the code and the rest
 * becomes PAM_AUTHTOK for the modules after this one. *whole keeps what was
 * typed, so it can be put back when the user turns out to need no code.
 * Both are freed with chorus_string_free(). Returns a PAM code.
 */
int chorus_args_take_code(const struct chorus_args* args, pam_handle_t* pamh, int digits, char** code,
                          char** whole);

#endif
