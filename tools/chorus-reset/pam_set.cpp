// SPDX-License-Identifier: BSD-2-Clause
// Setting the password through PAM, so that whatever backend the host uses
// (pam_unix and /etc/shadow, or anything else in the stack) is updated and
// the CHORUS_RESET_PAM_SERVICE stack (pam_chorus mode=reset, then pam_unix,
// then pam_chorus again for the history) applies. We run as root in every
// uid, so pam_unix does not ask for the old password; the conversation
// answers the "new password" prompts with the password already vetted by
// the live checklist and shows PAM's messages to the person.
#include <security/pam_appl.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "chorus-reset/reset.hpp"
#include "common/pam_util.hpp"

namespace reset_tool {
namespace {

struct ConvData {
    const char* password;
    int secrets_given = 0;
};

// PAM asks for the new password and its confirmation, nothing else: we run
// as root in every uid (checked before pam_start), so no module asks for the
// old password. Prompts are not recognised by their text, which depends on
// the modules and the locale: a stack that asks a third secret question (or
// keeps asking after rejecting the password) is cut off instead.
constexpr int kMaxSecretPrompts = 2;

int converse(int n, const struct pam_message** msg, struct pam_response** resp, void* appdata) {
    auto* d = static_cast<ConvData*>(appdata);
    *resp = nullptr;
    if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
    chorus_tools::PamReplies r(n);
    if (!r) return PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        const char* text = msg[i]->msg != nullptr ? msg[i]->msg : "";
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            if (++d->secrets_given > kMaxSecretPrompts) return PAM_CONV_ERR;
            if (!r.set(i, d->password)) return PAM_BUF_ERR;
            break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            say(text);
            break;
        default:  // PAM_PROMPT_ECHO_ON and anything else: nothing to answer
            return PAM_CONV_ERR;
        }
    }
    *resp = r.release();
    return PAM_SUCCESS;
}

}  // namespace

bool set_password_with_pam(const char* user, const char* password, const std::string& invoker) {
    // As root, pam_unix sets the password without asking for the old one;
    // as anyone else the first secret prompt could be that question.
    if (::getuid() != 0 || ::geteuid() != 0) {
        say("The password could not be set. Try again later.");
        return false;
    }
    ConvData data{password};
    const struct pam_conv conv = {converse, &data};
    pam_handle_t* pamh = nullptr;
    int rc = pam_start(CHORUS_RESET_PAM_SERVICE, user, &conv, &pamh);
    if (rc != PAM_SUCCESS) {
        syslog(LOG_ERR, "pam_start(%s) failed: %s", CHORUS_RESET_PAM_SERVICE, pam_strerror(pamh, rc));
        say("The password could not be set. Try again later.");
        return false;
    }
    // For the logs of the modules: who ran the reset, and where.
    (void)pam_set_item(pamh, PAM_RUSER, invoker.c_str());
    if (const char* tty = ::ttyname(STDIN_FILENO); tty != nullptr) (void)pam_set_item(pamh, PAM_TTY, tty);
    rc = pam_chauthtok(pamh, 0);
    if (rc != PAM_SUCCESS) {
        syslog(LOG_NOTICE, "password of %s not set through %s: %s", user, CHORUS_RESET_PAM_SERVICE,
               pam_strerror(pamh, rc));
        say("The password could not be set. Try again later, or ask your administrator.");
    }
    (void)pam_end(pamh, rc);
    return rc == PAM_SUCCESS;
}

}  // namespace reset_tool
