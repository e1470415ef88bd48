// SPDX-License-Identifier: BSD-2-Clause
// The terminal front end of the library's Prompter: information to stdout,
// errors to stderr, answers read from stdin (echo off for secrets when stdin
// is a terminal, restored on every exit path, including SIGINT/SIGTERM/
// SIGHUP/SIGQUIT). Also the PAM conversation built on the same primitives.
#pragma once

#include <chorus/chorus.h>
#include <security/pam_appl.h>

#include <string>

#include "common/secret.hpp"

namespace chorus_enroll {

// Installs the handlers that restore the terminal before the signal's
// default action runs. Call once, early.
void install_terminal_signal_handlers();

// Shows prompt on stdout and reads one line from stdin into out; echo is off
// while typing when echo is false and stdin is a terminal. False on EOF or
// error (nothing more can be asked).
bool ask_line(const char* prompt, bool echo, chorus_tools::SecretBuffer& out);

// The Prompter handed to the library (no state: arg is unused).
const chorus_prompter* terminal_prompter();

// A PAM conversation on the same terminal.
const struct pam_conv* terminal_pam_conv();

}  // namespace chorus_enroll
