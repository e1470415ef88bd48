// SPDX-License-Identifier: BSD-2-Clause
// chorus-reset: the self-service password reset (see chorus-reset(8) and
// docs/RESET.md). Declarations shared by its files:
//   harden.cpp   process hygiene of a setuid program, terminal save/restore
//   io.cpp       talking to the person: terminal or --batch lines; Prompter
//   live.cpp     the new password typed in raw mode with a live checklist
//   steps.cpp    the steps of the reset, one function each
//   pam_set.cpp  setting the password through PAM (pam_chauthtok)
//   main.cpp     options and the order of the steps
#pragma once

#include <chorus/chorus.h>

#include <string>

#include "common/secret.hpp"

#ifndef CHORUS_RESET_PAM_SERVICE
// Compile-time on purpose: a caller must not choose which PAM stack sets a
// password with root's authority.
#define CHORUS_RESET_PAM_SERVICE "chorus-reset"
#endif

namespace reset_tool {

inline constexpr const char* kProg = "chorus-reset";
inline constexpr size_t kMaxPassword = 4096;  // bytes of a new password
inline constexpr size_t kMaxLine = 512;       // identifiers, codes, menu choices

enum Exit { kExitOk = 0, kExitFail = 1, kExitUsage = 2 };

// How the person is reached and how the checklist is drawn.
struct Io {
    bool batch = false;   // answers are lines on stdin; nothing raw, ASCII checklist
    bool ascii = false;   // [x]/[ ] and no colour
    bool cursor = false;  // ANSI cursor movement (TERM is set and not "dumb")
};

// ---- harden.cpp
// Standard descriptors open, environment cleared (TERM kept when sane),
// umask 077, no core dumps, SIGPIPE ignored.
void harden_process();
// Becomes root in every uid/gid (pam_unix then sets the password without the
// old one, and the invoker can no longer signal or trace us). False on failure.
bool become_root();
// Saves the terminal settings of fd 0 (when it is a terminal) and installs
// handlers that restore them on SIGINT/SIGTERM/SIGHUP/SIGQUIT before exiting.
void guard_terminal();
// Restores the saved terminal settings (no-op when none were saved).
void restore_terminal();
// Chooses the checklist style from TERM and --ascii.
Io choose_io(bool batch, bool ascii);

// ---- io.cpp
// Shows text (one or more lines), escaped, to the person.
void say(const char* text);
void flush_out();
// Shows prompt and reads one line into out (echo off when !echo on a terminal).
// False on end of input or error: the reset stops.
bool ask(const Io& io, const char* prompt, bool echo, chorus_tools::SecretBuffer& out);
// The Prompter handed to the library; arg must be an Io* that outlives it.
chorus_prompter make_prompter(const Io* io);

// ---- live.cpp
enum class Entry { ok, cancelled, failed };
// Asks for the new password and its confirmation, in raw mode with the
// checklist redrawn on each keystroke (or, with io.batch, line by line with
// the checklist printed after each entry). out holds the accepted password.
Entry read_new_password(const Io& io, chorus_ctx_t* ctx, const char* user, const char* gecos,
                        chorus_tools::SecretBuffer& out);
// Draws the checklist (and, when match >= 0, the "Passwords match" line).
// Returns the number of lines written.
int draw_checklist(const Io& io, const chorus_checklist_t* cl, int match);

// ---- steps.cpp
// Each returns kExitOk to go on, or the exit status after telling the person.
int step_identify(const Io& io, chorus_ctx_t* ctx, chorus_reset_t** reset);
int step_email_code(const Io& io, chorus_ctx_t* ctx, chorus_reset_t* reset);
int step_second_factor(const Io& io, chorus_ctx_t* ctx, chorus_reset_t* reset);

// ---- pam_set.cpp
// Sets user's password through the CHORUS_RESET_PAM_SERVICE stack. On
// failure returns false after telling the person why.
bool set_password_with_pam(const char* user, const char* password, const std::string& invoker);

}  // namespace reset_tool
