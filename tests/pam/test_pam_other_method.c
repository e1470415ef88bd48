/* SPDX-License-Identifier: BSD-2-Clause */
/* pam_chorus.so auth, signing in another way at the code prompt: a code by
 * SMS, a call approved with #. The delivery helper is a stub whose exit
 * status is the gateway's answer. */
#define _GNU_SOURCE
#include "pt_fixture.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chorus/chorus.h>

static const struct pt_service services[] = {{"chorus-auth",
                                              "auth required pam_permit.so\n"
                                              "auth required @MODULE@ config=@CONFIG@\n"
                                              "account required @MODULE@ config=@CONFIG@\n"},
                                             {NULL, NULL}};

static void write_helper(const char* body) {
    char text[1024];
    snprintf(text, sizeof text, "#!/bin/sh\n/bin/cat > %s\n%s\n", pt_path("message"), body);
    FILE* f = fopen(pt_path("deliver-stub"), "we");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(pt_path("deliver-stub"), 0700), 0);
}

static void delivery_config(void) {
    pt_config(
        "delivery:\n  helper: %s\n  sms_url: http://127.0.0.1:9/sms\n"
        "  voice_url: http://127.0.0.1:9/voice\n  timeout: 5\n",
        pt_path("deliver-stub"));
}

static char* read_message(void) {
    FILE* f = fopen(pt_path("message"), "re");
    if (f == NULL) return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A registered user with the proven phone +6421555123, and a stub helper
 * running `helper_body` (its exit status is the gateway's answer). */
static const char* user_with_phone(const char* helper_body) {
    write_helper(helper_body);
    delivery_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    pt_set_phone(user, "+6421555123");
    return user;
}

/* Answers the SMS prompt with the code found in the message the stub recorded. */
static char* sms_hook(struct pt_conv* c, int style, const char* prompt) {
    (void)c, (void)style;
    if (strstr(prompt, "text message") == NULL) return NULL;
    const char* m = read_message();
    const char* p = m ? strstr(m, "code is ") : NULL;
    if (p == NULL) return strdup("");
    return strndup(p + 8, 6);
}

static void test_sms_code_from_the_helper_logs_in(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    struct pt_conv c = {.echo_off = {"sms"}, .hook = sms_hook};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    const char* m = read_message();
    assert_non_null(m);
    assert_non_null(strstr(m, "channel: sms\nto: +6421555123\nsubject: \n"));
    /* The helper gets the configuration's settings in the request. */
    assert_non_null(strstr(m, "\nsms_url: "));
    assert_non_null(strstr(m, "\ntimeout: "));
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Code from the text message") >= 0);
    pt_conv_free(&c);
}

static void test_wrong_sms_code_is_refused(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    struct pt_conv c = {.echo_off = {"sms", "1234567"}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_non_null(read_message());
    assert_int_equal(pt_failures(user), 1);
    pt_conv_free(&c);
}

static void test_sms_without_a_phone_sends_nothing_and_refuses(void** state) {
    (void)state;
    write_helper("exit 0");
    delivery_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    struct pt_conv c = {.echo_off = {"sms", "000000"}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_null(read_message());
    /* Same words as for a user with a phone: nothing tells them apart. */
    assert_true(pt_conv_find(&c, PAM_TEXT_INFO, "If a phone number is registered for SMS") >= 0);
    pt_conv_free(&c);
}

static void test_sms_helper_failure_fails_closed(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 1");
    struct pt_conv c = {.echo_off = {"sms", "000000"}};
    int rc = pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE);
    assert_int_not_equal(rc, PAM_SUCCESS);
    assert_int_not_equal(rc, PAM_IGNORE);
    /* The user is told to use another method, once. */
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "Couldn't send the code. Try another method.") >= 0);
    assert_true(pt_conv_find(&c, PAM_ERROR_MSG, "Verification is unavailable") < 0);
    pt_conv_free(&c);
}

static void test_approved_call_logs_in(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    struct pt_conv c = {.echo_off = {"call"}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    const char* m = read_message();
    assert_non_null(m);
    assert_non_null(strstr(m, "channel: voice\nto: +6421555123\n"));
    pt_conv_free(&c);
}

static void test_call_not_approved_is_refused(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 1");
    struct pt_conv c = {.echo_off = {"call"}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_non_null(read_message());
    assert_int_equal(pt_failures(user), 1);
    pt_conv_free(&c);
}

/* A delivery helper that cannot be started is a refused call, never an approval. */
static void test_call_with_a_missing_helper_is_refused(void** state) {
    (void)state;
    pt_config("delivery:\n  helper: %s\n  voice_url: http://127.0.0.1:9/voice\n  timeout: 5\n",
              pt_path("no-such-helper"));
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    pt_set_phone(user, "+6421555123");
    struct pt_conv c = {.echo_off = {"call"}};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_int_equal(pt_failures(user), 1);
    pt_conv_free(&c);
}

static volatile sig_atomic_t reaped_by_app;
static void app_reaps_everything(int sig) {
    (void)sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) reaped_by_app++;
    errno = saved;
}

/* The call's answer is the delivery helper's exit status: an application
 * that ignores SIGCHLD or reaps every child itself must neither turn a
 * declined call into a login nor an approved one into a failure. */
static void test_call_answer_holds_whatever_the_application_does_with_sigchld(void** state) {
    (void)state;
    delivery_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    pt_set_phone(user, "+6421555123");
    struct sigaction modes[2], old;
    memset(modes, 0, sizeof modes);
    modes[0].sa_handler = SIG_IGN;
    modes[1].sa_handler = app_reaps_everything;
    modes[1].sa_flags = SA_RESTART;
    for (int m = 0; m < 2; m++) {
        sigemptyset(&modes[m].sa_mask);
        assert_int_equal(sigaction(SIGCHLD, &modes[m], &old), 0);
        write_helper("exit 1");
        struct pt_conv declined = {.echo_off = {"call"}};
        int rc_declined = pt_pam("chorus-auth", user, &declined, PAMTEST_AUTHENTICATE);
        write_helper("exit 0");
        struct pt_conv approved = {.echo_off = {"call"}};
        int rc_approved = pt_pam("chorus-auth", user, &approved, PAMTEST_AUTHENTICATE);
        struct sigaction now;
        sigaction(SIGCHLD, NULL, &now);
        sigaction(SIGCHLD, &old, NULL);
        assert_int_equal(rc_declined, PAM_AUTH_ERR);
        assert_int_equal(rc_approved, PAM_SUCCESS);
        assert_true(now.sa_handler == modes[m].sa_handler); /* the application's own is back */
        pt_conv_free(&declined);
        pt_conv_free(&approved);
    }
}

/* PAM_SILENT: the application shows no text of ours; the answers and the
 * counting are those of a normal login, and failures are still logged. */

/* A conversation that cannot show the notice ends the sign-in as a
 * conversation failure; the code typed after it is never looked at. */
static void test_sms_notice_that_cannot_be_shown_ends_the_sign_in(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    struct pt_conv c = {.echo_off = {"sms", "123456"}, .refuse_texts = 1};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_CONV_ERR);
    assert_int_equal(pt_conv_prompts(&c), 1); /* only the code prompt that chose SMS */
    pt_conv_free(&c);
}

/* A phone stored but never proven gets nothing, whatever is asked of it. */
static void test_phone_not_proven_gets_no_code_and_no_call(void** state) {
    (void)state;
    write_helper("exit 0");
    delivery_config();
    const char* user = pt_user_add(NULL);
    pt_enroll(user, PT_SECRET);
    pt_set_contact(user, "phone", "+6421555123", 0);
    for (int i = 0; i < 2; ++i) {
        struct pt_conv c = {.echo_off = {i == 0 ? "sms" : "call", "000000"}};
        assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
        pt_conv_free(&c);
    }
    assert_null(read_message());
    pt_unlock(user);
}

/* "sms2" reaches the proven alternate phone, and only that one. */
static void test_sms2_goes_to_the_alternate_phone(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    pt_set_contact(user, "phone2", "+6421555999", 1);
    struct pt_conv c = {.echo_off = {"sms2"}, .hook = sms_hook};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    const char* m = read_message();
    assert_non_null(m);
    assert_non_null(strstr(m, "channel: sms\nto: +6421555999\n"));
    pt_conv_free(&c);
}

/* With sms as the default the code is sent before the prompt, which takes it. */
static void test_default_sms_sends_before_the_prompt(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    pt_set_default(user, "sms");
    struct pt_conv c = {.hook = sms_hook};
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_non_null(strstr(read_message(), "channel: sms\nto: +6421555123\n"));
    assert_true(pt_conv_find(&c, PAM_PROMPT_ECHO_OFF, "Code from the text message or your app") >= 0);
    assert_int_equal(pt_conv_prompts(&c), 1);
    pt_conv_free(&c);
}

/* With call as the default the phone rings first; Enter takes its answer,
 * and a call answered otherwise is a failure. */
static void test_default_call_rings_before_the_prompt(void** state) {
    (void)state;
    const char* user = user_with_phone("exit 0");
    pt_set_default(user, "call");
    struct pt_conv ok = {.echo_off = {""}};
    assert_int_equal(pt_pam("chorus-auth", user, &ok, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_non_null(strstr(read_message(), "channel: voice\nto: +6421555123\n"));
    assert_true(pt_conv_find(&ok, PAM_PROMPT_ECHO_OFF, "pressed # on the call") >= 0);
    pt_conv_free(&ok);
    write_helper("exit 1");
    struct pt_conv declined = {.echo_off = {""}};
    assert_int_equal(pt_pam("chorus-auth", user, &declined, PAMTEST_AUTHENTICATE), PAM_AUTH_ERR);
    assert_int_equal(pt_failures(user), 1);
    pt_conv_free(&declined);
}

/* A code from the app typed while the call rings logs in at once and ends the call. */
static void test_app_code_while_the_call_rings(void** state) {
    (void)state;
    const char* user = user_with_phone("/bin/sleep 30\nexit 0");
    pt_set_default(user, "call");
    char code[16];
    pt_totp(PT_SECRET, time(NULL), code);
    struct pt_conv c = {.echo_off = {code}};
    const time_t start = time(NULL);
    assert_int_equal(pt_pam("chorus-auth", user, &c, PAMTEST_AUTHENTICATE), PAM_SUCCESS);
    assert_true(time(NULL) - start < 10);
    pt_conv_free(&c);
}

int main(int argc, char** argv) {
    const struct CMUnitTest tests[] = {
        PT_TEST(test_sms_code_from_the_helper_logs_in),
        PT_TEST(test_wrong_sms_code_is_refused),
        PT_TEST(test_sms_without_a_phone_sends_nothing_and_refuses),
        PT_TEST(test_sms_helper_failure_fails_closed),
        PT_TEST(test_approved_call_logs_in),
        PT_TEST(test_call_not_approved_is_refused),
        PT_TEST(test_call_answer_holds_whatever_the_application_does_with_sigchld),
        PT_TEST(test_call_with_a_missing_helper_is_refused),
        PT_TEST(test_sms_notice_that_cannot_be_shown_ends_the_sign_in),
        PT_TEST(test_phone_not_proven_gets_no_code_and_no_call),
        PT_TEST(test_sms2_goes_to_the_alternate_phone),
        PT_TEST(test_default_sms_sends_before_the_prompt),
        PT_TEST(test_default_call_rings_before_the_prompt),
        PT_TEST(test_app_code_while_the_call_rings),
    };
    return pt_main(argc, argv, "pam_other_method", services, tests, sizeof tests / sizeof tests[0]);
}
