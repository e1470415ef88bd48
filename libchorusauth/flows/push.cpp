// SPDX-License-Identifier: BSD-2-Clause
#include "flows/push.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "flows/retry.hpp"
#include "push/protocol.hpp"
#include "store/record_push.hpp"

namespace chorus {
namespace {

// How often a waiting login reads the user's record: the phone's answer is
// seen within this time, and a fleet database sees one small read per
// waiting login per interval.
constexpr auto kPollInterval = std::chrono::milliseconds(1000);

std::string this_host() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "-";
    return push_token_text(buf);
}

PushRequest* find_request(UserRecord& rec, std::string_view nonce) {
    for (PushRequest& r : rec.push_requests)
        if (r.nonce == nonce) return &r;
    return nullptr;
}

// Requests older than the fatigue window and no longer answerable are
// forgotten; the rest count against push.max_requests.
void forget_old_requests(const Context& ctx, UserRecord& rec, std::int64_t now) {
    const std::int64_t horizon = now - ctx.config.push.window;
    std::erase_if(rec.push_requests,
                  [&](const PushRequest& r) { return r.created_at < horizon && r.expires_at < now; });
}

}  // namespace

bool push_usable(const Context& ctx, const UserRecord& rec) {
    return ctx.config.push.enabled && !rec.push_devices.empty();
}

Result<PushTicket> push_request_start(Context& ctx, std::string_view user, bool to_pending) {
    if (!ctx.config.push.enabled) return make_error(Errc::unsupported, "push approval is not enabled");
    CHORUS_ASSIGN_OR_RETURN(PushOptions options, draw_push_options(ctx.config.push.options));
    PushTicket t;
    t.user = std::string(user);
    CHORUS_ASSIGN_OR_RETURN(t.nonce, make_push_nonce());
    t.answer = options.answer;
    const std::string host = this_host();
    const std::string rhost = push_token_text(ctx.origin.rhost);
    Status st = retry_on_conflict([&]() -> Status {
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        if (!rec) return make_error(Errc::not_enrolled, "no phone registered for push");
        std::string serial;
        if (to_pending) {
            if (!rec->push_pending || rec->push_pending->app_key.empty())
                return make_error(Errc::not_enrolled, "the app has not registered");
            serial = rec->push_pending->serial;
        } else {
            if (rec->push_devices.empty())
                return make_error(Errc::not_enrolled, "no phone registered for push");
            serial = rec->push_devices.front().serial;
            CHORUS_ASSIGN_OR_RETURN(LiveState live, txn->live());
            if (lock_remaining(ctx, live) > 0)
                return make_error(Errc::locked, "account locked after failed codes");
        }
        const std::int64_t now = ctx.now();
        forget_old_requests(ctx, *rec, now);
        const auto recent =
            std::count_if(rec->push_requests.begin(), rec->push_requests.end(),
                          [&](const auto& r) { return r.created_at >= now - ctx.config.push.window; });
        if (recent >= ctx.config.push.max_requests || rec->push_requests.size() >= kMaxPushRequests) {
            ctx.log.logf(LogLevel::warning,
                         "push request refused: %ld requests in the last %d seconds (push.max_requests)",
                         static_cast<long>(recent), ctx.config.push.window);
            return make_error(Errc::rate_limited, "too many push requests");
        }
        PushRequest r;
        r.nonce = t.nonce;
        r.serial = serial;
        r.created_at = now;
        r.expires_at = t.expires_at = now + ctx.config.push.timeout;
        r.options = options.joined;
        r.answer = options.answer;
        r.host = host;
        r.rhost = rhost;
        rec->push_requests.push_back(std::move(r));
        return txn->put_record(*rec);
    });
    if (!st.ok()) return std::move(st).error();
    ctx.log.logf(LogLevel::info, "push request sent to the phone");
    return t;
}

Result<PushAnswer> push_request_finish(Context& ctx, const PushTicket& t, bool wait) {
    while (wait && ctx.now() < t.expires_at) {
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> snap, ctx.store->peek_record(t.user));
        const PushRequest* r = snap ? find_request(*snap, t.nonce) : nullptr;
        if (r == nullptr || r->state != "open") break;
        std::this_thread::sleep_for(kPollInterval);
    }
    PushAnswer out = PushAnswer::expired;
    Status st = retry_on_conflict([&]() -> Status {
        out = PushAnswer::expired;
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(t.user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        PushRequest* r = rec ? find_request(*rec, t.nonce) : nullptr;
        if (r == nullptr) return ok_status();
        if (r->state == "accepted") {
            out = PushAnswer::accepted;
            r->state = "used";  // one approval, one login
        } else if (r->state == "open") {
            r->state = "cancelled";  // too late for the phone now
        } else {
            out = r->state == "declined" ? PushAnswer::declined
                  : r->state == "wrong"  ? PushAnswer::wrong
                                         : PushAnswer::expired;
            return ok_status();
        }
        return txn->put_record(*rec);
    });
    if (!st.ok()) return std::move(st).error();
    return out;
}

std::string push_prompt(const PushTicket& t) {
    return "Approve the request on your phone: choose " + t.answer + ". Then press Enter: ";
}

Status settle_push_answer(Context& ctx, std::string_view user, Result<PushAnswer> answer,
                          VerifyOutcome& outcome) {
    if (!answer.ok()) return std::move(answer).error();
    static constexpr const char* kWords[] = {"approved", "declined", "answered with the wrong number",
                                             "not answered in time"};
    ctx.log.logf(*answer == PushAnswer::accepted ? LogLevel::info : LogLevel::notice, "push request %s",
                 kWords[static_cast<int>(*answer)]);
    return settle_out_of_band(ctx, user, *answer == PushAnswer::accepted, outcome);
}

Status push_second_factor(Context& ctx, std::string_view user, Prompter& p, VerifyOutcome& outcome) {
    outcome = {};
    auto ticket = push_request_start(ctx, user);
    if (!ticket.ok()) {
        if (ticket.code() == Errc::rate_limited)
            p.error("Too many requests to your phone. Wait a few minutes, or use another method.").ignore();
        if (ticket.code() == Errc::not_enrolled || ticket.code() == Errc::rate_limited)
            return make_error(Errc::bad_code, ticket.error().message);
        return std::move(ticket).error();
    }
    auto typed = p.ask(push_prompt(*ticket), true);
    if (!typed.ok()) {
        (void)push_request_finish(ctx, *ticket, false);
        return std::move(typed).error();
    }
    return settle_push_answer(ctx, user, push_request_finish(ctx, *ticket), outcome);
}

}  // namespace chorus
