// SPDX-License-Identifier: BSD-2-Clause
// The command channel: a configured program gets the request on stdin.
#pragma once

#include <string_view>

#include "deliver.hpp"

namespace chorus_deliver {

// Whether delivery.command_channels names this channel (and a command is set).
bool uses_command(const Settings& s, Channel c);

// Runs delivery.command (already as nobody: privileges were dropped) with an
// environment of PATH alone and `request` on stdin. Exit 0 = delivered (for
// voice: approved); any other exit = refused; killed at the deadline =
// network/timeout.
Outcome run_command(const Settings& s, std::string_view request, const Deadline& d);

}  // namespace chorus_deliver
