// SPDX-License-Identifier: BSD-2-Clause
// Proving who is at the keyboard before security info changes, so that a
// stolen session can't re-bind MFA silently: the current password through
// PAM (service CHORUS_ENROLL_PAM_SERVICE) and, when a method is registered,
// a current second factor through the library's login flow. Root (real uid
// 0) is trusted as it is.
#include <security/pam_appl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "chorus-enroll/enroll.hpp"
#include "chorus-enroll/terminal.hpp"
#include "common/pam_util.hpp"
#include "common/text.hpp"

#ifndef CHORUS_ENROLL_PAM_SERVICE
#define CHORUS_ENROLL_PAM_SERVICE "chorus-enroll"
#endif

namespace chorus_enroll {
namespace {

using chorus_tools::PamTxn;

int pam_refused(pam_handle_t* h, const char* what, int rc) {
    std::fprintf(stderr, "%s: %s: %s\n", kProg, what, ::pam_strerror(h, rc));
    return kExitFail;
}

int prove_password(const Session& s) {
    PamTxn txn;
    int rc = ::pam_start(CHORUS_ENROLL_PAM_SERVICE, s.user(), terminal_pam_conv(), txn.out());
    if (rc != PAM_SUCCESS) return pam_refused(txn.get(), "starting PAM", rc);
    (void)::pam_set_item(txn.get(), PAM_RUSER, s.invoker.name.c_str());
    if (const char* tty = ::ttyname(STDIN_FILENO); tty != nullptr)
        (void)::pam_set_item(txn.get(), PAM_TTY, tty);
    rc = txn.track(::pam_authenticate(txn.get(), PAM_DISALLOW_NULL_AUTHTOK));
    if (rc != PAM_SUCCESS) return pam_refused(txn.get(), "password not confirmed", rc);
    rc = txn.track(::pam_acct_mgmt(txn.get(), PAM_DISALLOW_NULL_AUTHTOK));
    if (rc == PAM_NEW_AUTHTOK_REQD) {
        std::fprintf(stderr, "%s: your password has expired: change it (passwd) first\n", kProg);
        return kExitFail;
    }
    if (rc != PAM_SUCCESS) return pam_refused(txn.get(), "account not usable", rc);
    return kExitOk;
}

}  // namespace

int prove_identity(const Session& s, bool has_method) {
    if (s.root()) return kExitOk;
    std::printf("To change your security info, first confirm that it is you.\n");
    std::fflush(stdout);
    if (int r = prove_password(s); r != kExitOk) return r;
    if (!has_method) return kExitOk;  // nothing to prove yet: first registration
    chorus_login_result result = CHORUS_LOGIN_NOT_REQUIRED;
    const int rc = chorus_login_authenticate(s.ctx, s.user(), s.prompter, nullptr, &result);
    if (rc != CHORUS_OK) return fail(s.ctx, "second factor not confirmed", rc);
    if (result != CHORUS_LOGIN_VERIFIED)
        return complain(kExitFail, "second factor not confirmed: no method was proven");
    return kExitOk;
}

}  // namespace chorus_enroll
