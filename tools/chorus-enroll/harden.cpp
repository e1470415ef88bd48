// SPDX-License-Identifier: BSD-2-Clause
// The first things chorus-enroll does (common/harden.hpp), and who invoked it.
#include <pwd.h>
#include <unistd.h>

#include <string>

#include "chorus-enroll/enroll.hpp"
#include "common/harden.hpp"

namespace chorus_enroll {

void harden_process() {
    chorus_tools::harden_setuid_process(kExitFail);
}

bool capture_invoker(Invoker& inv) {
    inv.uid = ::getuid();
    inv.gid = ::getgid();
    const int n = ::getgroups(0, nullptr);
    if (n > 0) {
        inv.groups.resize(static_cast<size_t>(n));
        const int got = ::getgroups(n, inv.groups.data());
        inv.groups.resize(got > 0 ? static_cast<size_t>(got) : 0);
    }
    const struct passwd* pw = ::getpwuid(inv.uid);
    if (pw == nullptr || pw->pw_name == nullptr || pw->pw_name[0] == '\0') return false;
    inv.name = pw->pw_name;
    return true;
}

}  // namespace chorus_enroll
