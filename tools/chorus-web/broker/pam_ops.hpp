// SPDX-License-Identifier: BSD-2-Clause
// The two things chorus-web asks of PAM, both as root in the broker: check
// a password at sign-in (the web.pam_service stack, whose conversation is
// the page), and set a new password at the end of a reset (the same
// chorus-reset stack chorus-reset(8) uses).
#pragma once

#include <string>

#include "broker/bridge.hpp"

namespace chorus_web {

// PAM_SUCCESS only when both pam_authenticate and pam_acct_mgmt passed.
int pam_sign_in(const std::string& service, const std::string& user, const std::string& rhost,
                Bridge& bridge);

// true when pam_chauthtok set password; PAM's messages go to the bridge.
bool pam_set_password(const std::string& user, const std::string& password, const std::string& rhost,
                      Bridge& bridge);

}  // namespace chorus_web
