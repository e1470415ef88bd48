// SPDX-License-Identifier: BSD-2-Clause
#include "broker/pam_ops.hpp"

#include <syslog.h>

#include "common/pam_util.hpp"

#ifndef CHORUS_RESET_PAM_SERVICE
#define CHORUS_RESET_PAM_SERVICE "chorus-reset"
#endif

namespace chorus_web {
namespace {

using chorus_tools::PamReplies;
using chorus_tools::PamTxn;

struct SetData {
    const std::string* password;
    Bridge* bridge;
    int given = 0;
};

// chauthtok as root asks for the new password and its confirmation only; a
// third secret prompt (or any visible one) ends the conversation, as in
// chorus-reset, rather than be answered with the new password.
int set_conv(int n, const struct pam_message** msg, struct pam_response** resp, void* arg) {
    auto* d = static_cast<SetData*>(arg);
    *resp = nullptr;
    PamReplies r(n);
    if (!r) return n <= 0 || n > PAM_MAX_NUM_MSG ? PAM_CONV_ERR : PAM_BUF_ERR;
    for (int i = 0; i < n; ++i) {
        const int style = msg[i]->msg_style;
        if (style == PAM_PROMPT_ECHO_OFF) {
            if (++d->given > 2) return PAM_CONV_ERR;
            if (!r.set(i, d->password->c_str())) return PAM_BUF_ERR;
        } else if (style == PAM_ERROR_MSG || style == PAM_TEXT_INFO) {
            d->bridge->show(style == PAM_ERROR_MSG, msg[i]->msg != nullptr ? msg[i]->msg : "");
        } else {
            return PAM_CONV_ERR;
        }
    }
    *resp = r.release();
    return PAM_SUCCESS;
}

}  // namespace

int pam_sign_in(const std::string& service, const std::string& user, const std::string& rhost,
                Bridge& bridge) {
    PamTxn txn;
    int rc = ::pam_start(service.c_str(), user.c_str(), bridge.pam(), txn.out());
    if (rc != PAM_SUCCESS) {
        syslog(LOG_ERR, "pam_start(%s) failed: %s", service.c_str(), ::pam_strerror(txn.get(), rc));
        return rc == PAM_SUCCESS ? PAM_ABORT : rc;
    }
    (void)::pam_set_item(txn.get(), PAM_RUSER, "chorus-web");
    if (!rhost.empty()) (void)::pam_set_item(txn.get(), PAM_RHOST, rhost.c_str());
    rc = txn.track(::pam_authenticate(txn.get(), PAM_DISALLOW_NULL_AUTHTOK));
    if (rc != PAM_SUCCESS) return rc;
    rc = txn.track(::pam_acct_mgmt(txn.get(), PAM_DISALLOW_NULL_AUTHTOK));
    if (rc != PAM_SUCCESS) return rc;
    // A module may map the name (case folding, a domain suffix): the state
    // and the second factor that follow are the typed name's, so a stack that
    // proved another account proves nothing here.
    const void* item = nullptr;
    if (::pam_get_item(txn.get(), PAM_USER, &item) != PAM_SUCCESS || item == nullptr ||
        user != static_cast<const char*>(item)) {
        syslog(LOG_NOTICE, "PAM service %s changed the user name of a sign-in: refused", service.c_str());
        return txn.track(PAM_USER_UNKNOWN);
    }
    return PAM_SUCCESS;
}

bool pam_set_password(const std::string& user, const std::string& password, const std::string& rhost,
                      Bridge& bridge) {
    SetData data{&password, &bridge};
    const struct pam_conv conv = {set_conv, &data};
    PamTxn txn;
    int rc = ::pam_start(CHORUS_RESET_PAM_SERVICE, user.c_str(), &conv, txn.out());
    if (rc != PAM_SUCCESS) {
        syslog(LOG_ERR, "pam_start(%s) failed: %s", CHORUS_RESET_PAM_SERVICE, ::pam_strerror(txn.get(), rc));
        return false;
    }
    (void)::pam_set_item(txn.get(), PAM_RUSER, "chorus-web");
    if (!rhost.empty()) (void)::pam_set_item(txn.get(), PAM_RHOST, rhost.c_str());
    rc = txn.track(::pam_chauthtok(txn.get(), 0));
    if (rc != PAM_SUCCESS)
        syslog(LOG_NOTICE, "password of %s not set through %s: %s", user.c_str(), CHORUS_RESET_PAM_SERVICE,
               ::pam_strerror(txn.get(), rc));
    return rc == PAM_SUCCESS;
}

}  // namespace chorus_web
