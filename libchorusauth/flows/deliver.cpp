// SPDX-License-Identifier: BSD-2-Clause
#include "flows/deliver.hpp"

#include <sys/wait.h>
#include <csignal>
#include <unistd.h>

#include <cerrno>

#include "flows/contact.hpp"
#include "flows/events.hpp"
#include "flows/helper_process.hpp"
#include "util/fd.hpp"

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

namespace {

// One header value: a backslash and a newline escaped, nothing else
// changed (the helper refuses any other control character).
void add_line(std::string& out, std::string_view key, std::string_view value) {
    out += key;
    out += ": ";
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    out += '\n';
}

const char* sms_format_name(SmsFormat f) {
    return f == SmsFormat::form ? "form" : "json";
}

const char* gateway_auth_name(GatewayAuth a) {
    return a == GatewayAuth::basic ? "basic" : a == GatewayAuth::bearer ? "bearer" : "none";
}

}  // namespace

std::string delivery_settings_header(const DeliveryConfig& dc) {
    std::string out;
    add_line(out, "timeout", std::to_string(dc.timeout));
    add_line(out, "smtp_url", dc.smtp_url);
    add_line(out, "email_from", dc.email_from);
    add_line(out, "sms_url", dc.sms_url);
    add_line(out, "voice_url", dc.voice_url);
    add_line(out, "email_subject", dc.email_subject);
    add_line(out, "email_body", dc.email_body);
    add_line(out, "sms_body", dc.sms_body);
    add_line(out, "voice_message", dc.voice_message);
    add_line(out, "sms_format", sms_format_name(dc.sms_format));
    add_line(out, "sms_field_to", dc.sms_fields.to);
    add_line(out, "sms_field_message", dc.sms_fields.message);
    add_line(out, "gateway_auth", gateway_auth_name(dc.gateway_auth));
    add_line(out, "gateway_token_file", dc.gateway_token_file);
    add_line(out, "command", dc.command);
    for (const auto& [name, value] : dc.gateway_headers) {
        std::string header = name;
        header += ": ";
        header += value;
        add_line(out, "gateway_header", header);
    }
    for (const auto& channel : dc.command_channels) add_line(out, "command_channel", channel);
    return out;
}

SecretString delivery_request(const DeliveryConfig& dc, Channel channel, std::string_view to,
                              std::string_view subject, std::string_view body) {
    SecretString request("channel: ");
    request.raw() += channel_name(channel);
    request.raw() += "\nto: ";
    request.raw() += to;
    request.raw() += "\nsubject: ";
    request.raw() += subject;
    request.raw() += '\n';
    request.raw() += delivery_settings_header(dc);
    request.raw() += '\n';
    request.raw() += body;
    return request;
}

namespace {

Status run_delivery(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                    std::string_view body) {
    const DeliveryConfig& dc = ctx.config.delivery;
    const SecretString request = delivery_request(dc, channel, to, subject, body);

    HelperCall call;
    call.path = dc.helper;
    call.input = request.view();
    call.timeout_ms = static_cast<std::int64_t>(dc.timeout) * 1000;
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

EventMethod event_method_of(Channel c) {
    switch (c) {
    case Channel::email:
        return EventMethod::email;
    case Channel::sms:
        return EventMethod::sms;
    case Channel::voice:
        return EventMethod::call;
    }
    return EventMethod::none;
}

}  // namespace

Status deliver(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
               std::string_view body) {
    Status st = run_delivery(ctx, channel, to, subject, body);
    Event e;
    e.kind = EventKind::delivery;
    e.outcome = st.ok() ? Outcome::success : Outcome::failure;
    e.method = event_method_of(channel);
    if (!st.ok()) e.reason = st.error().message;
    emit(ctx, e);
    return st;
}

Status delivery_test(const Context& ctx, std::string_view channel, std::string_view to) {
    Channel c = Channel::sms;
    if (channel == "email")
        c = Channel::email;
    else if (channel == "voice")
        c = Channel::voice;
    else if (channel != "sms")
        return make_error(Errc::invalid_argument, "unknown channel (email, sms or voice)");
    CHORUS_ASSIGN_OR_RETURN(std::string recipient,
                            c == Channel::email ? normalize_email(to) : normalize_phone(to));
    if (!channel_configured(ctx.config.delivery, c))
        return make_error(Errc::unsupported, std::string(channel_name(c)) + " delivery is not configured");
    const char* body = c == Channel::voice
                           ? "This is a test call from Chorus. Press the pound key to confirm."
                           : "This is a test message from Chorus. No action is needed.";
    return deliver(ctx, c, recipient, "Chorus delivery test", body);
}

void deliver_detached(const Context& ctx, Channel channel, std::string_view to, std::string_view subject,
                      std::string_view body) {
    prepare_events_for_fork();
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

Result<PendingDelivery> deliver_in_background(const Context& ctx, Channel channel, std::string_view to,
                                              std::string_view subject, std::string_view body) {
    // Built before fork(): the child then only runs the helper and exits.
    const std::string to_copy(to), subject_copy(subject);
    const SecretString body_copy(body);
    prepare_events_for_fork();
    pid_t child = fork();
    if (child < 0) return errno_error("fork for delivery", errno);
    if (child == 0) {
        setpgid(0, 0);
        (void)std::signal(SIGTERM, SIG_DFL);  // the caller's handler (sshd's) is not ours
        Status st = deliver(ctx, channel, to_copy, subject_copy, body_copy.view());
        if (!st.ok())
            ctx.log.logf(LogLevel::notice, "%s: %s", channel_name(channel), st.error().message.c_str());
        _exit(st.ok() ? 0 : 1);
    }
    setpgid(child, child);  // either side may win the race; both ask for the same
    PendingDelivery pending;
    pending.pid_ = child;
    return pending;
}

Status PendingDelivery::wait() {
    if (pid_ < 0) return make_error(Errc::internal, "no delivery in progress");
    int status = 0;
    pid_t r = 0;
    while ((r = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (r < 0) return errno_error("waitpid for delivery", errno);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return make_error(Errc::io, "delivery failed");
    return {};
}

void PendingDelivery::cancel() {
    if (pid_ < 0) return;
    // SIGTERM first, the polite end for the child and the helper; whatever
    // still runs a second later is killed. A call already ringing then ends
    // when the gateway gives up on it.
    kill(-pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno != EINTR)) {
            kill(-pid_, SIGKILL);  // the helper, if it outlived the child
            pid_ = -1;
            return;
        }
        usleep(10000);
    }
    kill(-pid_, SIGKILL);
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

}  // namespace chorus
