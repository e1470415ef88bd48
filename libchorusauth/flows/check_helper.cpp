// SPDX-License-Identifier: BSD-2-Clause
#include "flows/check_helper.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

#include "flows/admin.hpp"
#include "flows/events.hpp"
#include "flows/helper_process.hpp"
#include "flows/verify.hpp"
#include "util/fd.hpp"

#ifndef CHORUS_LIBEXECDIR
#define CHORUS_LIBEXECDIR "/usr/libexec/chorus"
#endif

namespace chorus {
namespace {

// The helper's answer comes within this time or not at all (it waits at
// most a store lock and a database round trip).
constexpr std::int64_t kCheckTimeoutMs = 30000;
constexpr std::string_view kTag = "chorus-check";

static_assert(CheckAnswer{}.status == CheckStatus::failure, "a default answer must be a denial");

struct OpName {
    CheckOp op;
    std::string_view name;
};
constexpr OpName kOps[] = {
    {CheckOp::probe, "probe"}, {CheckOp::account, "account"}, {CheckOp::verify, "verify"}};

struct StatusName {
    CheckStatus status;
    std::string_view name;
};
constexpr StatusName kStatuses[] = {{CheckStatus::ok, "ok"},
                                    {CheckStatus::bad_code, "bad-code"},
                                    {CheckStatus::replay, "replay"},
                                    {CheckStatus::locked, "locked"},
                                    {CheckStatus::not_enrolled, "not-enrolled"}};

std::string_view op_name(CheckOp op) {
    for (const auto& o : kOps)
        if (o.op == op) return o.name;
    return "?";
}

std::string_view status_name(CheckStatus s) {
    for (const auto& n : kStatuses)
        if (n.status == s) return n.name;
    return "failure";
}

// Which answers an operation can have; any other is a failure.
bool status_fits(CheckOp op, CheckStatus s) {
    switch (op) {
    case CheckOp::probe:
        return s == CheckStatus::ok || s == CheckStatus::not_enrolled;
    case CheckOp::account:
        return s == CheckStatus::ok || s == CheckStatus::locked || s == CheckStatus::not_enrolled;
    case CheckOp::verify:
        return s == CheckStatus::ok || s == CheckStatus::bad_code || s == CheckStatus::replay ||
               s == CheckStatus::locked;
    }
    return false;
}

// Reads one line (without '\n') of at most max bytes; false on EOF before
// the newline, an error, or a longer line.
bool read_line(int fd, std::size_t max, SecretString& out) {
    out.raw().clear();
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        if (c == '\n') return true;
        if (out.raw().size() >= max) return false;
        out.raw() += c;
    }
}

CheckAnswer answer_status(Context& ctx, CheckOp op, std::string_view user) {
    CheckAnswer a;
    auto st = user_status(ctx, user);
    if (!st.ok()) {
        if (st.code() == Errc::not_found) a.status = CheckStatus::not_enrolled;
        return a;
    }
    if (op == CheckOp::probe) {
        a.status = st->has_method ? CheckStatus::ok : CheckStatus::not_enrolled;
    } else if (st->lock_remaining > 0) {
        a.status = CheckStatus::locked;
        a.lock_remaining = st->lock_remaining;
    } else {
        a.status = CheckStatus::ok;
    }
    return a;
}

CheckAnswer answer_verify(Context& ctx, std::string_view user, std::string_view code) {
    CheckAnswer a;
    VerifyOutcome outcome;
    const LoginTiming timing(ctx);
    const Status st = verify_code(ctx, user, code, outcome);
    report_code_check(ctx, user, st, outcome);
    if (st.ok()) {
        a.status = CheckStatus::ok;
        return a;
    }
    switch (st.code()) {
    case Errc::bad_code:
        a.status = CheckStatus::bad_code;
        break;
    case Errc::replay:
        a.status = CheckStatus::replay;
        break;
    case Errc::locked:
        a.status = CheckStatus::locked;
        a.lock_remaining = outcome.lock_remaining;
        break;
    default:
        break;  // failure
    }
    return a;
}

}  // namespace

const char* check_helper_path() {
    return CHORUS_LIBEXECDIR "/chorus-check";
}

std::string encode_check_answer(CheckOp op, const CheckAnswer& a) {
    std::string line(kTag);
    line += ' ';
    line += op_name(op);
    line += ' ';
    line += status_name(a.status);
    line += ' ';
    line += std::to_string(a.lock_remaining > 0 ? a.lock_remaining : 0);
    line += '\n';
    return line;
}

CheckAnswer decode_check_answer(CheckOp op, int exit_status, std::string_view line) {
    CheckAnswer denied;
    CheckAnswer a;
    a.status = static_cast<CheckStatus>(exit_status);
    if (a.status == CheckStatus::failure || !status_fits(op, a.status)) return denied;
    const std::string expected_head =
        std::string(kTag) + ' ' + std::string(op_name(op)) + ' ' + std::string(status_name(a.status)) + ' ';
    if (line.size() <= expected_head.size() || line.substr(0, expected_head.size()) != expected_head ||
        line.back() != '\n')
        return denied;
    const std::string_view number = line.substr(expected_head.size(), line.size() - expected_head.size() - 1);
    std::int64_t seconds = -1;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), seconds);
    if (ec != std::errc{} || end != number.data() + number.size() || seconds < 0) return denied;
    if (a.status == CheckStatus::locked) a.lock_remaining = seconds;
    return a;
}

CheckStatus serve_check_request(Context& ctx, std::string_view user, int in_fd, int out_fd) {
    SecretString word;
    if (!read_line(in_fd, 16, word)) return CheckStatus::failure;
    const CheckOp* op = nullptr;
    for (const auto& o : kOps)
        if (word.view() == o.name) op = &o.op;
    if (op == nullptr) return CheckStatus::failure;
    CheckAnswer a;
    if (*op == CheckOp::verify) {
        SecretString code;
        // A longer line is still only a wrong code (and counted as one).
        if (!read_line(in_fd, kMaxCodeInput, code)) code = SecretString("-");
        a = answer_verify(ctx, user, code.view());
    } else {
        a = answer_status(ctx, *op, user);
    }
    if (a.status == CheckStatus::failure) return CheckStatus::failure;
    if (!write_all(out_fd, encode_check_answer(*op, a)).ok()) return CheckStatus::failure;
    return a.status;
}

Result<CheckAnswer> run_check_helper(const Context& ctx, CheckOp op, std::string_view code) {
    SecretString request{op_name(op)};
    request.raw() += '\n';
    if (op == CheckOp::verify) {
        request.raw() += code;
        request.raw() += '\n';
    }
    HelperCall call;
    call.path = check_helper_path();
    call.input = request.view();
    call.capture_output = true;
    call.max_output = 128;
    call.timeout_ms = kCheckTimeoutMs;
    CHORUS_ASSIGN_OR_RETURN(HelperExit exit, run_helper(call));
    if (!exit.exited)
        return make_error(Errc::io, "chorus-check was killed by signal " + std::to_string(exit.signal));
    if (exit.exit_status == kHelperExecFailed)
        return make_error(Errc::io, std::string("cannot run ") + call.path);
    const CheckAnswer a = decode_check_answer(op, exit.exit_status, exit.output);
    CHORUS_DEBUG(ctx.log, "chorus-check %s: exit %d, answer %s", std::string(op_name(op)).c_str(),
                 exit.exit_status, std::string(status_name(a.status)).c_str());
    if (a.status == CheckStatus::failure)
        return make_error(Errc::io, "chorus-check failed (exit " + std::to_string(exit.exit_status) + ")");
    return a;
}

}  // namespace chorus
