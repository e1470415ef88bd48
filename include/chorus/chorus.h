/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file chorus.h
 * The public C API of libchorusauth: TOTP and recovery-code verification,
 * enrollment, password rules and history, per-user state.
 *
 * Conventions: every function is chorus_<object>_<verb>; handles are opaque;
 * fallible functions return a chorus_rc (0 = CHORUS_OK, negative = error) that
 * must be checked; chorus_<object>_free(T **p) accepts NULL, wipes secrets and
 * sets *p to NULL. Strings returned through out-parameters belong to the
 * caller and are released with chorus_string_free(). No function throws.
 */
#ifndef CHORUS_CHORUS_H
#define CHORUS_CHORUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CHORUS_API __attribute__((visibility("default")))
#define CHORUS_NODISCARD __attribute__((warn_unused_result))
#else
#define CHORUS_API
#define CHORUS_NODISCARD
#endif

/** Result codes. Keep chorus_strerror() in step. */
typedef enum chorus_rc {
    CHORUS_OK = 0,
    CHORUS_ERR_INVALID_ARG = -1,      /**< malformed argument */
    CHORUS_ERR_NOMEM = -2,            /**< out of memory */
    CHORUS_ERR_CONFIG = -3,           /**< configuration missing, unsafe or invalid */
    CHORUS_ERR_IO = -4,               /**< a system call failed (disk full, I/O error) */
    CHORUS_ERR_UNSAFE_FILE = -5,      /**< state file is a link, has a wrong owner or mode */
    CHORUS_ERR_CORRUPT = -6,          /**< state exists but does not parse */
    CHORUS_ERR_NO_USER = -7,          /**< no state for this user */
    CHORUS_ERR_NOT_ENROLLED = -8,     /**< user has no usable second factor */
    CHORUS_ERR_BAD_CODE = -9,         /**< wrong code */
    CHORUS_ERR_REPLAY = -10,          /**< code expired or already used */
    CHORUS_ERR_LOCKED = -11,          /**< too many failures; locked for a while */
    CHORUS_ERR_RATE_LIMITED = -12,    /**< asked too often; wait */
    CHORUS_ERR_EXPIRED = -13,         /**< code past its lifetime */
    CHORUS_ERR_PASSWORD_RULES = -14,  /**< password fails one or more rules */
    CHORUS_ERR_PASSWORD_REUSED = -15, /**< password found in history */
    CHORUS_ERR_BAD_USERNAME = -16,    /**< name not acceptable as a user name */
    CHORUS_ERR_PERMISSION = -17,      /**< caller may not do this */
    CHORUS_ERR_UNSUPPORTED = -18,     /**< feature not built or not configured */
    CHORUS_ERR_BUSY = -19,            /**< state locked by another process for too long */
    CHORUS_ERR_INTERNAL = -20,        /**< unexpected internal failure */
    CHORUS_ERR_UNAVAILABLE = -21,     /**< the state store (fleet database) cannot be reached */
    CHORUS_ERR_CONV = -22             /**< the conversation failed: no answer, or text not shown */
} chorus_rc;

/** A short English description of rc; never NULL. */
CHORUS_API const char* chorus_strerror(int rc);

typedef struct chorus_ctx chorus_ctx_t;

/** Log sink: priority is a syslog(3) level; message has control characters escaped. */
typedef void (*chorus_log_fn)(void* arg, int priority, const char* message);

/** chorus_ctx_new() flags. */
#define CHORUS_CTX_DEBUG 0x1u        /**< emit debug messages to the sink */
#define CHORUS_CTX_TEST_NONROOT 0x2u /**< tests only: accept config/state owned by the caller */

/**
 * Loads the configuration at config_path (NULL: /etc/chorus/chorus.yaml,
 * whose absence means built-in defaults; an explicit path must exist) and
 * opens the state store. On failure *out is NULL and the reason was logged.
 */
CHORUS_API CHORUS_NODISCARD int chorus_ctx_new(chorus_ctx_t** out, const char* config_path, chorus_log_fn log,
                                               void* log_arg, unsigned flags);
CHORUS_API void chorus_ctx_free(chorus_ctx_t** ctx);
/** The detail message of the last failure on ctx (e.g. "line 3, column 5: ..."). Never NULL. */
CHORUS_API const char* chorus_ctx_last_error(const chorus_ctx_t* ctx);

/** The configured number of code digits (otp.digits), e.g. for splitting "password+code". */
CHORUS_API int chorus_ctx_code_digits(const chorus_ctx_t* ctx);

/** Frees a string returned by the library, wiping it first. Accepts NULL. */
CHORUS_API void chorus_string_free(char** s);

/* ---- Verification ---------------------------------------------------- */

/** Which kind of code chorus_verify_code() accepted. */
typedef enum chorus_method {
    CHORUS_METHOD_NONE = 0,
    CHORUS_METHOD_TOTP = 1,
    CHORUS_METHOD_RECOVERY = 2
} chorus_method;

/**
 * Checks a TOTP code or a recovery code for user. Replay is refused and the
 * accepted step is saved before CHORUS_OK is returned; failures are counted
 * and lead to CHORUS_ERR_LOCKED. Unknown users answer CHORUS_ERR_BAD_CODE at
 * the same cost as a wrong code. If state cannot be saved the answer is an
 * error, never CHORUS_OK. method and lock_remaining (seconds) may be NULL.
 */
CHORUS_API CHORUS_NODISCARD int chorus_verify_code(chorus_ctx_t* ctx, const char* user, const char* code,
                                                   chorus_method* method, long long* lock_remaining);

/**
 * The helper side of the chorus-check protocol (chorus-check(8)): reads one
 * request from in_fd, answers it for user and writes the answer to out_fd.
 * *exit_status is the status the helper must exit with; it is the failure
 * status (10) unless a complete answer was written. Returns CHORUS_OK when
 * the request was answered, else an error (and *exit_status stays 10).
 */
CHORUS_API CHORUS_NODISCARD int chorus_check_serve(chorus_ctx_t* ctx, const char* user, int in_fd, int out_fd,
                                                   int* exit_status);

/* ---- Status and administration --------------------------------------- */

typedef struct chorus_status chorus_status_t;

/** Reads user's state. CHORUS_ERR_NO_USER when nothing is stored. */
CHORUS_API CHORUS_NODISCARD int chorus_status_get(chorus_ctx_t* ctx, const char* user, chorus_status_t** out);
CHORUS_API void chorus_status_free(chorus_status_t** st);
/**
 * 1 when the user has a usable second factor (an app key or unused recovery
 * codes): the one test of "registered" that logins, chorus-check,
 * chorus-enroll and chorus-reset share.
 */
CHORUS_API int chorus_status_has_method(const chorus_status_t* st);
CHORUS_API int chorus_status_has_totp(const chorus_status_t* st);
CHORUS_API int chorus_status_recovery_left(const chorus_status_t* st);
CHORUS_API int chorus_status_failures(const chorus_status_t* st);
/** Seconds of lockout left (0 = not locked). */
CHORUS_API long long chorus_status_lock_remaining(const chorus_status_t* st);
CHORUS_API long long chorus_status_last_success(const chorus_status_t* st);
CHORUS_API long long chorus_status_enrolled_at(const chorus_status_t* st);
/** First login seen without a method (grace starts then); 0 never. */
CHORUS_API long long chorus_status_first_seen(const chorus_status_t* st);
/** Seconds of enrollment grace left; 0 when it is over; -1 not in grace. */
CHORUS_API long long chorus_status_grace_left(const chorus_status_t* st);
/** "SHA1"/"SHA256"/"SHA512", digits and period of the TOTP key (if any). */
CHORUS_API const char* chorus_status_algorithm(const chorus_status_t* st);
CHORUS_API int chorus_status_digits(const chorus_status_t* st);
CHORUS_API int chorus_status_period(const chorus_status_t* st);
/**
 * Registered phone, email and alternate phone ("" when none) and the default
 * method ("app", "sms", "call", "sms2", "call2").
 */
CHORUS_API const char* chorus_status_phone(const chorus_status_t* st);
CHORUS_API const char* chorus_status_email(const chorus_status_t* st);
CHORUS_API const char* chorus_status_phone2(const chorus_status_t* st);
CHORUS_API const char* chorus_status_default_method(const chorus_status_t* st);
/**
 * 1 when the contact `which` ("phone", "phone2", "email") is registered and
 * was proven (a code typed back, a call answered with #); else 0. Nothing is
 * ever sent to a contact that is not proven.
 */
CHORUS_API int chorus_status_contact_proven(const chorus_status_t* st, const char* which);

/** Clears the failure counter and any lockout. */
CHORUS_API CHORUS_NODISCARD int chorus_user_unlock(chorus_ctx_t* ctx, const char* user);
/** Removes every method and all state of user (history is kept unless all != 0). */
CHORUS_API CHORUS_NODISCARD int chorus_user_unenroll(chorus_ctx_t* ctx, const char* user, int all);
/** Users with stored state, sorted; free with chorus_strings_free(). */
CHORUS_API CHORUS_NODISCARD int chorus_user_list(chorus_ctx_t* ctx, char*** users, size_t* count);
CHORUS_API void chorus_strings_free(char*** list, size_t count);

/**
 * Stores user's contact `which` ("phone" (E.164, e.g. "+6421555123"),
 * "phone2" (the alternate phone) or "email"): as not proven unless it is the
 * value already stored; "" removes it; an invalid value gives
 * CHORUS_ERR_INVALID_ARG. With
 * proven != 0 the caller (an admin) vouches that it was proven another way,
 * and it is stored as proven.
 */
CHORUS_API CHORUS_NODISCARD int chorus_user_store_contact(chorus_ctx_t* ctx, const char* user,
                                                          const char* which, const char* value, int proven);
/**
 * Sends a test message through the delivery helper with the context's
 * delivery settings (chorusctl test-delivery): channel is "email", "sms"
 * or "voice", to an address or an E.164 number. CHORUS_OK when the helper
 * reports it delivered (voice: the callee pressed #); CHORUS_ERR_UNSUPPORTED
 * when the channel is not configured; CHORUS_ERR_INVALID_ARG for a bad
 * channel or recipient; CHORUS_ERR_IO when the delivery failed.
 */
CHORUS_API CHORUS_NODISCARD int chorus_delivery_test(chorus_ctx_t* ctx, const char* channel, const char* to);

/**
 * Validates the configuration file at path (NULL: the default path) without
 * opening any state. On failure *message (if message is not NULL) receives
 * every error, one per line ("FILE:LINE:COLUMN: text"); free it with
 * chorus_string_free().
 */
CHORUS_API CHORUS_NODISCARD int chorus_config_validate(const char* path, char** message);

/**
 * The fleet store's administration (chorusctl db, migrate-store): action is
 * "init", "migrate", "status" or "migrate-from-file", on the store of the
 * configuration at config_path (NULL: the default). The store plugin at
 * plugin_path (NULL: the one the configuration names, else the installed
 * one) is loaded with the checks a login applies. *report receives what to
 * print on standard output (NULL if nothing), also on failure ("status" of
 * an old schema); *message receives the problems, one per line (NULL if
 * none). Free both with chorus_string_free(). Returns CHORUS_OK when the
 * action succeeded.
 */
CHORUS_API CHORUS_NODISCARD int chorus_store_admin(const char* config_path, const char* plugin_path,
                                                   const char* action, char** report, char** message);

/* ---- Enrollment ------------------------------------------------------- */

typedef struct chorus_totp_opts {
    const char* secret_base32; /**< NULL: generate a new random key */
    const char* algorithm;     /**< NULL: config default; "sha1", "sha256", "sha512" */
    int digits;                /**< 0: config default; else 6..8 */
    int period;                /**< 0: config default; else seconds */
} chorus_totp_opts;

typedef struct chorus_enrollment chorus_enrollment_t;

/**
 * Prepares a TOTP key for user without saving it. The caller shows the URI
 * (and QR code) and confirms with a code from the app.
 */
CHORUS_API CHORUS_NODISCARD int chorus_enrollment_new(chorus_ctx_t* ctx, const char* user,
                                                      const chorus_totp_opts* opts,
                                                      chorus_enrollment_t** out);
CHORUS_API void chorus_enrollment_free(chorus_enrollment_t** e);
/** otpauth://totp/ISSUER:USER?secret=...&issuer=...&algorithm=...&digits=...&period=... */
CHORUS_API const char* chorus_enrollment_uri(const chorus_enrollment_t* e);
/** The key in base32, grouped in fours for reading aloud ("ABCD EFGH ..."). */
CHORUS_API const char* chorus_enrollment_secret_display(const chorus_enrollment_t* e);
/** Per-key window in steps (0..10) instead of the configured one; e.g. from an imported file. */
CHORUS_API CHORUS_NODISCARD int chorus_enrollment_set_window(chorus_enrollment_t* e, int window);
/** Checks code against the pending key (no state touched): CHORUS_OK or CHORUS_ERR_BAD_CODE. */
CHORUS_API CHORUS_NODISCARD int chorus_enrollment_check(chorus_ctx_t* ctx, const chorus_enrollment_t* e,
                                                        const char* code);
/**
 * Saves the key for the user (replacing any previous key) and marks the
 * confirmed step as used, so the confirmation code can't be replayed at login.
 * code may be NULL for admin provisioning without confirmation.
 */
CHORUS_API CHORUS_NODISCARD int chorus_enrollment_commit(chorus_ctx_t* ctx, chorus_enrollment_t* e,
                                                         const char* code);

/** How chorus_qr_render() draws. */
typedef enum chorus_qr_style {
    CHORUS_QR_UTF8 = 0,  /**< Unicode half blocks, light modules drawn (light-on-dark terminals) */
    CHORUS_QR_ANSI = 1,  /**< ANSI background colours: right on any terminal theme */
    CHORUS_QR_ASCII = 2, /**< '#' and spaces, for terminals without UTF-8 */
    CHORUS_QR_SVG = 3    /**< a standalone SVG image */
} chorus_qr_style;

/** Draws text (e.g. an otpauth URI) as a QR code; free *out with chorus_string_free(). */
CHORUS_API CHORUS_NODISCARD int chorus_qr_render(const char* text, chorus_qr_style style, char** out);

/**
 * Makes a new set of recovery codes for user (replacing the old set); the
 * plaintext codes are returned once and only their hashes are stored.
 */
CHORUS_API CHORUS_NODISCARD int chorus_recovery_codes_new(chorus_ctx_t* ctx, const char* user, char*** codes,
                                                          size_t* count);

/**
 * Replaces user's recovery codes with the given plaintext codes (e.g.
 * google-authenticator scratch codes); only their hashes are stored.
 */
CHORUS_API CHORUS_NODISCARD int chorus_recovery_codes_import(chorus_ctx_t* ctx, const char* user,
                                                             const char* const* codes, size_t count);

/* ---- Password rules and history -------------------------------------- */

typedef struct chorus_checklist chorus_checklist_t;

/** Password-change semantics: CHANGE refuses any remembered password; RESET may reuse the last. */
typedef enum chorus_pw_mode { CHORUS_PW_CHANGE = 0, CHORUS_PW_RESET = 1 } chorus_pw_mode;

/**
 * Evaluates every rule for password (and history when user has state).
 * Returns CHORUS_OK when the checklist was computed, whatever its verdict;
 * read the verdict with chorus_checklist_ok(). user and gecos may be NULL.
 */
CHORUS_API CHORUS_NODISCARD int chorus_password_check(chorus_ctx_t* ctx, const char* user, const char* gecos,
                                                      const char* password, chorus_pw_mode mode,
                                                      chorus_checklist_t** out);
CHORUS_API void chorus_checklist_free(chorus_checklist_t** cl);
CHORUS_API int chorus_checklist_ok(const chorus_checklist_t* cl);
CHORUS_API size_t chorus_checklist_count(const chorus_checklist_t* cl);
CHORUS_API const char* chorus_checklist_rule_id(const chorus_checklist_t* cl, size_t i);
CHORUS_API const char* chorus_checklist_rule_text(const chorus_checklist_t* cl, size_t i);
CHORUS_API int chorus_checklist_rule_met(const chorus_checklist_t* cl, size_t i);

/**
 * Compiles a word list (one password per line, UTF-8) into the memory-mapped
 * blocklist format that password.blocklist names. The output is written to a
 * temporary file and renamed into place.
 */
CHORUS_API CHORUS_NODISCARD int chorus_blocklist_compile(const char* words_path, const char* out_path,
                                                         char** message);

/** Records password as the user's newest (argon2id), keeping the configured number. */
CHORUS_API CHORUS_NODISCARD int chorus_password_record(chorus_ctx_t* ctx, const char* user,
                                                       const char* password);

/* ---- Logins: the flows behind pam_chorus and the tools ---------------- */

typedef enum chorus_msg_kind { CHORUS_MSG_INFO = 0, CHORUS_MSG_ERROR = 1 } chorus_msg_kind;

/**
 * How a flow talks to the person: the PAM module implements it with the PAM
 * conversation, the tools with a terminal.
 */
typedef struct chorus_prompter {
    void* arg;
    /** Shows text. Returns 0, or nonzero if it could not be shown. */
    int (*show)(void* arg, chorus_msg_kind kind, const char* text);
    /**
     * Asks a question (echo != 0: the answer is visible while typed). On
     * success returns 0 and sets *answer to a malloc'd string, which the
     * library wipes and frees. Nonzero: no answer (conversation failed).
     */
    int (*ask)(void* arg, int echo, const char* prompt, char** answer);
} chorus_prompter;

typedef enum chorus_login_result {
    CHORUS_LOGIN_VERIFIED = 1,     /**< a second factor was proven */
    CHORUS_LOGIN_NOT_REQUIRED = 2, /**< no method registered: the account stage applies the policy */
    CHORUS_LOGIN_FAILMODE = 3,     /**< store unreachable; let in by failmode (groups, console) */
    CHORUS_LOGIN_BREAK_GLASS = 4   /**< store unreachable; a host-local break-glass code was proven */
} chorus_login_result;

/**
 * The second factor of a login: asks "Verification code: " (or takes code,
 * when not NULL) and verifies it. The configured other-method words send a
 * code by SMS or place a call. Returns CHORUS_OK with *result set, or an
 * error (CHORUS_ERR_BAD_CODE, _REPLAY, _LOCKED, or a system error) after
 * telling the user why in words that do not reveal whether the account exists.
 */
CHORUS_API CHORUS_NODISCARD int chorus_login_authenticate(chorus_ctx_t* ctx, const char* user,
                                                          const chorus_prompter* prompter, const char* code,
                                                          chorus_login_result* result);

/**
 * Where the login comes from (PAM_TTY and PAM_RHOST; NULL = not set).
 * failmode.allow_console decides by it while the state store is
 * unreachable; audit events report it (CHORUS_TTY, CHORUS_RHOST).
 */
CHORUS_API CHORUS_NODISCARD int chorus_ctx_set_origin(chorus_ctx_t* ctx, const char* tty, const char* rhost);

/**
 * The PAM service (or tool) the context works for, reported as
 * CHORUS_SERVICE in audit events. NULL or unset: the program's name.
 */
CHORUS_API CHORUS_NODISCARD int chorus_ctx_set_service(chorus_ctx_t* ctx, const char* service);

/**
 * Makes a new set of break-glass codes for user in the host-local store
 * (failmode.break_glass_path), replacing the old set. They work only while
 * the fleet store is unreachable. Free with chorus_strings_free().
 */
CHORUS_API CHORUS_NODISCARD int chorus_break_glass_new(chorus_ctx_t* ctx, const char* user, char*** codes,
                                                       size_t* count);

/** chorus_login_account() flags: how to draw the registration QR code. */
#define CHORUS_ACCOUNT_QR_ANSI 0x1u
#define CHORUS_ACCOUNT_QR_ASCII 0x2u
/** The auth stage of this login returned CHORUS_LOGIN_BREAK_GLASS. */
#define CHORUS_ACCOUNT_BREAK_GLASS 0x4u
/**
 * The application asked for silence (PAM_SILENT): registration, which must
 * show a key, is not offered; an account that must register is refused
 * (CHORUS_ERR_NOT_ENROLLED) and one that may is let through.
 */
#define CHORUS_ACCOUNT_SILENT 0x8u

/**
 * The account stage, after the first factor succeeded: refuses a locked
 * account (CHORUS_ERR_LOCKED) and applies the enrollment policy to an account
 * without a method, walking the user through registration when it is due.
 * CHORUS_ERR_NOT_ENROLLED when registration is required and did not happen.
 */
CHORUS_API CHORUS_NODISCARD int chorus_login_account(chorus_ctx_t* ctx, const char* user,
                                                     const chorus_prompter* prompter, unsigned flags);

/** chorus_login_password() flags. */
#define CHORUS_PW_BY_ADMIN 0x1u /**< root sets another user's password */

/**
 * Vets a new password: tells the user every unmet rule and returns
 * CHORUS_ERR_PASSWORD_RULES, or CHORUS_OK.
 */
CHORUS_API CHORUS_NODISCARD int chorus_login_password(chorus_ctx_t* ctx, const char* user, const char* gecos,
                                                      const char* password, chorus_pw_mode mode,
                                                      unsigned flags, const chorus_prompter* prompter);

/* ---- Self-service: what chorus-enroll uses ----------------------------- */

/** chorus_register_interactive() flags (plus CHORUS_ACCOUNT_QR_ANSI/_ASCII). */
#define CHORUS_REGISTER_NO_QR 0x4u        /**< show the key and URI only */
#define CHORUS_REGISTER_NO_CONTACTS 0x8u  /**< do not offer phone and email */
#define CHORUS_REGISTER_NO_RECOVERY 0x10u /**< do not make recovery codes */

/**
 * Walks the user through app registration (QR, key, confirmation code,
 * optionally phone, email and recovery codes). The key is saved only once a
 * code from the app matches. CHORUS_ERR_BAD_CODE after too many wrong codes.
 */
CHORUS_API CHORUS_NODISCARD int chorus_register_interactive(chorus_ctx_t* ctx, const char* user,
                                                            const chorus_prompter* prompter, unsigned flags);

/**
 * Removes one method: "app", "phone", "email" or "recovery". Removing the
 * last way to prove a second factor is refused (CHORUS_ERR_PERMISSION).
 */
CHORUS_API CHORUS_NODISCARD int chorus_user_remove_method(chorus_ctx_t* ctx, const char* user,
                                                          const char* method);

/**
 * Sets the default method: "app", "sms", "call" (these two need the proven
 * phone), "sms2" or "call2" (the proven alternate phone).
 */
CHORUS_API CHORUS_NODISCARD int chorus_user_set_default_method(chorus_ctx_t* ctx, const char* user,
                                                               const char* method);

/**
 * The library's names, for front ends that check a word before asking
 * anything: 1 when name is a method a user may make the default ("app",
 * "sms", "call"), resp. something registered that may be removed ("app",
 * "phone", "email", "recovery"); else 0.
 */
CHORUS_API int chorus_method_name_valid(const char* name);
/** 1 when delivery by `channel` ("sms", "voice" or "call", "email") is configured; else 0. */
CHORUS_API int chorus_channel_configured(chorus_ctx_t* ctx, const char* channel);
CHORUS_API int chorus_registration_name_valid(const char* name);

/**
 * Proves `value` and stores it as user's contact `which`, proven: `how` is
 * "sms" (a code sent and typed back) or "call" (a call answered with #) for
 * "phone" and "phone2", "email" (a code) for "email"; NULL lets the user
 * choose through the prompter ("Text me a code" / "Call me") among the
 * configured channels. Nothing is stored when the proof fails
 * (CHORUS_ERR_BAD_CODE); CHORUS_ERR_UNSUPPORTED when no channel for it is
 * configured.
 */
CHORUS_API CHORUS_NODISCARD int chorus_user_prove_contact(chorus_ctx_t* ctx, const char* user,
                                                          const char* which, const char* value,
                                                          const char* how, const chorus_prompter* prompter);

/* ---- Several authenticator apps ---------------------------------------- */

/**
 * Saves the pending key as one more authenticator app of its user, named
 * `name` (1 to 64 characters, unique among the user's apps; NULL or "" gives
 * "app N"), once `code` matches it (NULL or "": saved unchecked, an admin's
 * import; as chorus_enrollment_commit()). The
 * first app of a user is saved as with chorus_enrollment_commit(), keeping
 * everything else. Each app has its own key and replay state, and a code
 * from any of them is accepted at login. CHORUS_ERR_INVALID_ARG for a bad
 * or taken name, or past 8 apps.
 */
CHORUS_API CHORUS_NODISCARD int chorus_enrollment_add(chorus_ctx_t* ctx, const chorus_enrollment_t* e,
                                                      const char* code, const char* name);
/**
 * The user's authenticator apps, the first one first: their names ("" for a
 * first app never named). Free with chorus_strings_free().
 */
CHORUS_API CHORUS_NODISCARD int chorus_app_list(chorus_ctx_t* ctx, const char* user, char*** names,
                                                size_t* count);
/** Renames an app; `app` is its name or its number in chorus_app_list() order ("1", "2", ...). */
CHORUS_API CHORUS_NODISCARD int chorus_app_rename(chorus_ctx_t* ctx, const char* user, const char* app,
                                                  const char* new_name);
/**
 * Removes one app. The only app of a user without recovery codes is not
 * removed (CHORUS_ERR_PERMISSION); CHORUS_ERR_NO_USER for no such app.
 */
CHORUS_API CHORUS_NODISCARD int chorus_app_remove(chorus_ctx_t* ctx, const char* user, const char* app);

#ifdef __cplusplus
}
#endif

/* The self-service reset (chorus_reset_*), the metrics (chorus_metrics_*) and
 * chorus-web's settings (chorus_web_*) have their own headers; they are part
 * of this API and come with it. */
#include "chorus/chorus_reset.h" /* IWYU pragma: export */
#include "chorus/chorus_audit.h" /* IWYU pragma: export */
#include "chorus/chorus_web.h"   /* IWYU pragma: export */

#endif /* CHORUS_CHORUS_H */
