// SPDX-License-Identifier: BSD-2-Clause
// chorus-enroll: shared declarations of its modules. The tool is installed
// setuid root and acts on its REAL uid's account (see chorus-enroll(1)).
#pragma once

#include <chorus/chorus.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace chorus_enroll {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitUsage = 2;
inline constexpr const char* kProg = "chorus-enroll";

// Who ran the program, captured before anything else can change it.
struct Invoker {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups of the caller
    std::string name;           // getpwuid(uid)->pw_name
};

enum class Action {
    info_or_register,
    list,
    app,
    contact,
    remove,
    set_default,
    recovery,
    rename_app,
    remove_app,
    push
};

struct Options {
    Action action = Action::info_or_register;
    std::string user;              // the account acted on
    const char* config = nullptr;  // NULL: the library's default (root only otherwise)
    chorus_qr_style qr = CHORUS_QR_UTF8;
    bool qr_none = false;
    bool qr_given = false;  // --qr was on the command line
    const char* qr_svg = nullptr;
    const char* qr_png = nullptr;
    const char* phone = nullptr;
    const char* phone2 = nullptr;  // --alternate-phone
    const char* email = nullptr;
    const char* prove_by = nullptr;  // --prove-by sms|call; NULL: ask when both work
    std::string method;              // for --remove / --default
    bool add_app = false;            // --add-app: one more app beside those registered
    const char* app_name = nullptr;  // --name, for --add-app and --rename-app
    std::string app;                 // --rename-app / --remove-app: a name or a number
};

// Everything an action needs.
struct Session {
    chorus_ctx_t* ctx;
    const Invoker& invoker;
    const Options& opts;
    const chorus_prompter* prompter;
    [[nodiscard]] const char* user() const { return opts.user.c_str(); }
    [[nodiscard]] bool root() const { return invoker.uid == 0; }
};

// What is registered for the user (a read failure other than "no state" is an error).
struct Methods {
    bool has_method = false;  // chorus_status_has_method(): a login asks for a code
    bool totp = false;
    int recovery_left = 0;
    std::string phone, email, phone2, default_method;
    bool phone_proven = false, email_proven = false, phone2_proven = false;
    std::vector<std::string> app_names;  // "" for a first app never named
    int apps = 0;
};

// Prints "chorus-enroll: WHAT: <strerror> (<last error>)"; returns kExitFail.
int fail(const chorus_ctx_t* ctx, const std::string& what, int rc);
// Prints "chorus-enroll: MESSAGE"; returns code.
int complain(int code, const std::string& message);

// harden.cpp: the first things main does.
void harden_process();               // stdio, environment, umask, no core dumps
bool capture_invoker(Invoker& inv);  // false when the real uid has no passwd entry

// info.cpp
int read_methods(const Session& s, Methods& m);  // kExitOk or kExitFail (after a message)
void print_security_info(const Session& s, const Methods& m);

// reauth.cpp: proves the password (PAM) and, when registered, a second factor.
int prove_identity(const Session& s, bool has_method);

// actions.cpp
int do_register_app(const Session& s, const Methods& m);
int do_register_push(const Session& s);
int do_remove(const Session& s);
int do_set_default(const Session& s);
int do_recovery_codes(const Session& s);
int do_rename_app(const Session& s);
int do_remove_app(const Session& s);

// contacts.cpp: --phone, --alternate-phone, --email, each proven as it is
// set; offer_contacts() asks for them after a first registration.
int do_contact(const Session& s);
void offer_contacts(const Session& s);

// app_files.cpp: --app with --qr-svg/--qr-png (the QR also goes to files).
class ImageWriter;
int register_app_with_files(const Session& s, const Methods& m, std::vector<ImageWriter*>& writers);

}  // namespace chorus_enroll
