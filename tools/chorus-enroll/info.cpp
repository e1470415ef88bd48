// SPDX-License-Identifier: BSD-2-Clause
// The "Security info" page: what is registered for the user. Never the key.
#include <cstdio>
#include <string>

#include "chorus-enroll/enroll.hpp"
#include "common/handles.hpp"
#include "common/output.hpp"
#include "common/text.hpp"

namespace chorus_enroll {
namespace {

using chorus_tools::escape_text;

const char* describe_default(const std::string& m) {
    if (m == "sms") return "code by SMS to your phone";
    if (m == "call") return "phone call (press # to approve)";
    if (m == "sms2") return "code by SMS to your alternate phone";
    if (m == "call2") return "call to your alternate phone (press # to approve)";
    return "authenticator app";
}

// "+6421555123", "+6421555123 (not proven: ...)" or how to add one.
void print_contact(const char* label, const std::string& value, bool proven, const char* option,
                   const char* what) {
    if (value.empty()) {
        std::printf("  %-19s not registered (chorus-enroll --%s %s)\n", label, option, what);
        return;
    }
    // Stored values are escaped: they come from disk, not from us.
    std::printf("  %-19s %s%s\n", label, escape_text(value).c_str(),
                proven ? "" : "  (not proven: nothing is sent to it; prove it with chorus-enroll)");
}

}  // namespace

int read_methods(const Session& s, Methods& m) {
    chorus_tools::StatusH st;
    const int rc = chorus_status_get(s.ctx, s.user(), st.out());
    if (rc == CHORUS_ERR_NO_USER) return kExitOk;  // nothing registered yet
    if (rc != CHORUS_OK) return fail(s.ctx, "reading the security info of " + escape_text(s.opts.user), rc);
    m.has_method = chorus_status_has_method(st.get()) != 0;
    m.totp = chorus_status_has_totp(st.get()) != 0;
    m.recovery_left = chorus_status_recovery_left(st.get());
    m.phone = chorus_status_phone(st.get());
    m.email = chorus_status_email(st.get());
    m.phone2 = chorus_status_phone2(st.get());
    m.phone_proven = chorus_status_contact_proven(st.get(), "phone") != 0;
    m.email_proven = chorus_status_contact_proven(st.get(), "email") != 0;
    m.phone2_proven = chorus_status_contact_proven(st.get(), "phone2") != 0;
    m.default_method = chorus_status_default_method(st.get());
    chorus_tools::Strings names;
    if (const int r = chorus_app_list(s.ctx, s.user(), names.out(), names.count_out()); r != CHORUS_OK)
        return fail(s.ctx, "reading the apps of " + escape_text(s.opts.user), r);
    for (size_t i = 0; i < names.size(); ++i) m.app_names.emplace_back(names[i]);
    m.apps = static_cast<int>(m.app_names.size());
    return kExitOk;
}

void print_security_info(const Session& s, const Methods& m) {
    std::printf("Security info for %s\n", escape_text(s.opts.user).c_str());
    std::printf("These are the methods you use to sign in to your account or reset your password.\n\n");
    chorus_tools::StatusH st;
    const bool have_status = chorus_status_get(s.ctx, s.user(), st.out()) == CHORUS_OK;
    if (!m.has_method && m.phone.empty() && m.email.empty() && m.phone2.empty()) {
        std::printf("  No methods registered.\n");
        return;
    }
    if (m.totp && have_status) {
        char when[64];
        std::printf("  Authenticator app   TOTP %s, %d digits, every %d s; registered %s\n",
                    chorus_status_algorithm(st.get()), chorus_status_digits(st.get()),
                    chorus_status_period(st.get()),
                    chorus_tools::format_time(chorus_status_enrolled_at(st.get()), when, sizeof when));
        // Several apps, or a named one: each with the number that picks it.
        if (m.apps > 1 || !m.app_names[0].empty())
            for (int i = 0; i < m.apps; ++i)
                std::printf("    %d  %s\n", i + 1,
                            m.app_names[i].empty() ? "(no name)" : escape_text(m.app_names[i]).c_str());
    } else {
        std::printf("  Authenticator app   not registered (chorus-enroll --app)\n");
    }
    print_contact("Phone", m.phone, m.phone_proven, "phone", "NUMBER");
    print_contact("Alternate phone", m.phone2, m.phone2_proven, "alternate-phone", "NUMBER");
    print_contact("Email", m.email, m.email_proven, "email", "ADDRESS");
    if (m.recovery_left > 0)
        std::printf("  Recovery codes      %d left\n", m.recovery_left);
    else
        std::printf("  Recovery codes      none (chorus-enroll --recovery-codes)\n");
    std::printf("  Default method      %s\n", describe_default(m.default_method));
    if (!m.has_method) std::printf("\n  No second factor is registered yet: run chorus-enroll --app.\n");
}

}  // namespace chorus_enroll
