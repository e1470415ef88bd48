// SPDX-License-Identifier: BSD-2-Clause
// Phones and email addresses: each is proven as it is set (a code typed
// back, or a call answered with #), so that nothing is ever sent to a
// contact the user does not receive. The library does the proving; this
// file says what happened.
#include <cstdio>
#include <string>

#include "chorus-enroll/enroll.hpp"
#include "chorus-enroll/terminal.hpp"
#include "common/handles.hpp"
#include "common/text.hpp"

namespace chorus_enroll {
namespace {

using chorus_tools::escape_text;

constexpr int kContactAttempts = 3;

struct Contact {
    const char* which;  // the library's slot name
    const char* label;  // what the user reads
    const char* value;
};

std::string stored(const Session& s, const char* which) {
    chorus_tools::StatusH st;
    if (chorus_status_get(s.ctx, s.user(), st.out()) != CHORUS_OK) return {};
    const std::string w = which;
    return w == "phone"    ? chorus_status_phone(st.get())
           : w == "phone2" ? chorus_status_phone2(st.get())
                           : chorus_status_email(st.get());
}

// Proves and stores one contact. When no channel can prove it, it is stored
// as not proven (keep = false) or left as it was (keep = true).
int prove_one(const Session& s, const Contact& c, bool keep_on_failure) {
    const int rc = chorus_user_prove_contact(s.ctx, s.user(), c.which, c.value, s.opts.prove_by, s.prompter);
    if (rc == CHORUS_OK) {
        std::printf("%s %s proven and saved.\n", c.label, escape_text(stored(s, c.which)).c_str());
        return kExitOk;
    }
    if (rc == CHORUS_ERR_UNSUPPORTED ||
        (!keep_on_failure && (rc == CHORUS_ERR_BAD_CODE || rc == CHORUS_ERR_IO))) {
        const int st = chorus_user_store_contact(s.ctx, s.user(), c.which, c.value, 0);
        if (st != CHORUS_OK) return fail(s.ctx, std::string("saving the ") + c.label, st);
        std::printf(
            "%s %s saved, not proven: %s Nothing is sent to it until it is proven "
            "(chorus-enroll --%s again).\n",
            c.label, escape_text(stored(s, c.which)).c_str(),
            rc == CHORUS_ERR_UNSUPPORTED ? "codes cannot be sent from this system yet."
                                         : "the proof did not succeed.",
            std::string(c.which) == "phone2" ? "alternate-phone" : c.which);
        return kExitOk;
    }
    fail(s.ctx, std::string("proving the ") + c.label + " " + escape_text(c.value), rc);
    std::printf("%s not changed.\n", c.label);
    return kExitFail;
}

}  // namespace

int do_contact(const Session& s) {
    const Contact contacts[] = {{"phone", "Phone", s.opts.phone},
                                {"phone2", "Alternate phone", s.opts.phone2},
                                {"email", "Email", s.opts.email}};
    int status = kExitOk;
    for (const Contact& c : contacts)
        if (c.value != nullptr && prove_one(s, c, true) != kExitOk) status = kExitFail;
    return status;
}

void offer_contacts(const Session& s) {
    const Contact asks[] = {
        {"phone", "Phone", "Phone number for codes by SMS or call, e.g. +64211234567 (Enter to skip): "},
        {"email", "Email", "Email address for password resets (Enter to skip): "}};
    for (const Contact& ask : asks) {
        for (int attempt = 0; attempt < kContactAttempts; ++attempt) {
            chorus_tools::SecretBuffer answer(256);
            if (!ask_line(ask.value, true, answer) || answer.empty()) break;
            const Contact c{ask.which, ask.label, answer.c_str()};
            const int rc = prove_one(s, c, false);
            if (rc == kExitOk) break;
        }
    }
}

}  // namespace chorus_enroll
