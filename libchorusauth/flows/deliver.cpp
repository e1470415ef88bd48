// SPDX-License-Identifier: BSD-2-Clause
#include "flows/deliver.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "flows/helper_process.hpp"

namespace chorus {

const char* channel_name(Channel c) {
    switch (c) {
    case Channel::email:
        return "email";
    case Channel::sms:
        return "sms";
    case Channel::voice:
        return "voice";
    }
    return "unknown";
}

bool channel_configured(const DeliveryConfig& dc, Channel c) {
    for (const auto& listed : dc.command_channels)
        if (!dc.command.empty() && listed == channel_name(c)) return true;
    switch (c) {
    case Channel::email:
        return !dc.smtp_url.empty();
    case Channel::sms:
        return !dc.sms_url.empty();
    case Channel::voice:
        return !dc.voice_url.empty();
    }
    return false;
}

Status deliver(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
               std::string_view body) {
    const DeliveryConfig& dc = ctx.config.delivery;
    SecretString request("channel: ");
    request.raw() += channel_name(channel);
    request.raw() += "\nto: ";
    request.raw() += to;
    request.raw() += "\nsubject: ";
    request.raw() += subject;
    request.raw() += "\n\n";
    request.raw() += body;

    HelperCall call;
    call.path = dc.helper;
    call.input = request.view();
    call.timeout_ms = static_cast<std::int64_t>(dc.timeout) * 1000;
    // A configuration named explicitly (config=) is passed on, so the helper
    // reads the same delivery settings; it accepts that from root only.
    const std::string& config = ctx.config.source;
    if (!config.empty() && config[0] == '/' && config != kDefaultConfigPath && getuid() == 0)
        call.args = {"--config", config};
    CHORUS_ASSIGN_OR_RETURN(HelperExit exit, run_helper(call));
    if (!exit.exited)
        return make_error(Errc::io, "delivery helper killed by signal " + std::to_string(exit.signal));
    if (exit.exit_status == kHelperExecFailed)
        return make_error(Errc::io, "delivery helper " + dc.helper + " could not be started");
    if (exit.exit_status != 0)
        return make_error(Errc::io, std::string(channel_name(channel)) + " delivery failed (helper exit " +
                                        std::to_string(exit.exit_status) + ")");
    ctx.log.logf(LogLevel::info, "%s sent", channel_name(channel));
    return {};
}

void deliver_detached(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                      std::string_view body) {
    pid_t child = fork();
    if (child < 0) {
        ctx.log.logf(LogLevel::error, "%s not sent: fork failed", channel_name(channel));
        return;
    }
    if (child == 0) {
        // The grandchild is adopted by init, so nobody waits on a slow server.
        pid_t grandchild = fork();
        if (grandchild == 0) {
            setsid();
            Status st = deliver(ctx, channel, to, subject, body);
            if (!st.ok())
                ctx.log.logf(LogLevel::error, "%s not sent: %s", channel_name(channel),
                             st.error().message.c_str());
            _exit(st.ok() ? 0 : 1);
        }
        _exit(grandchild < 0 ? 1 : 0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace chorus
