// SPDX-License-Identifier: BSD-2-Clause
#include "flows/push_endpoint.hpp"

#include <optional>

#include "flows/events.hpp"
#include "flows/retry.hpp"
#include "push/protocol.hpp"
#include "store/record_text.hpp"
#include "util/secure.hpp"

namespace chorus {
namespace {

constexpr std::int64_t kPollWindow = 60;     // seconds either side, as privacyIDEA
constexpr std::int64_t kUpdateWindow = 300;  // the token update's window

PushHttpReply fail(int status, int code, std::string_view message) {
    return {status, push_reply_error(code, message)};
}
PushHttpReply value(bool v) {
    return {200, push_reply_ok(v ? "true" : "false")};
}
PushHttpReply bad_signature() {
    return fail(400, 10, "Could not verify signature!");
}

// The fields of one message. A repeated name is refused: two values would
// leave open which one was signed.
class Form {
public:
    explicit Form(const PushFields& f) : fields_(f) {}
    bool repeated() const {
        for (std::size_t i = 0; i < fields_.size(); ++i)
            for (std::size_t j = i + 1; j < fields_.size(); ++j)
                if (fields_[i].first == fields_[j].first) return true;
        return false;
    }
    std::optional<std::string_view> get(std::string_view name) const {
        for (const auto& [k, v] : fields_)
            if (k == name) return std::string_view(v);
        return std::nullopt;
    }
    // The first required field that is missing or empty.
    std::optional<std::string_view> missing(std::initializer_list<std::string_view> names) const {
        for (std::string_view n : names)
            if (!get(n) || get(n)->empty()) return n;
        return std::nullopt;
    }

private:
    const PushFields& fields_;
};

// The key the app registered for serial: a device's, or that of the phone
// being registered (its test request).
std::string_view app_key_of(const UserRecord& rec, std::string_view serial) {
    for (const PushDevice& d : rec.push_devices)
        if (d.serial == serial) return d.app_key;
    if (rec.push_pending && rec.push_pending->serial == serial) return rec.push_pending->app_key;
    return {};
}

std::string question_of(const PushRequest& r, std::string_view user) {
    std::string q = "Sign in to " + r.host + " as " + std::string(user);
    if (r.rhost != "-") q += " from " + r.rhost;
    return q + "?";
}

// A signed timestamp check (poll, token update) against the key for serial.
std::optional<PushHttpReply> check_signed_time(Context& ctx, const UserRecord* rec, std::string_view serial,
                                               std::string_view ts, std::string_view signed_text,
                                               std::string_view sig, std::int64_t window) {
    const std::optional<std::int64_t> when = parse_push_timestamp(ts);
    if (!when) return fail(400, 10, "Could not parse timestamp. ISO-Format required.");
    const std::int64_t now = ctx.now();
    if (*when < now - window || *when > now + window) return fail(400, 10, "Timestamp not in valid range.");
    const std::string_view key = rec != nullptr ? app_key_of(*rec, serial) : std::string_view();
    if (key.empty() || !verify_app_signature(key, signed_text, sig)) return bad_signature();
    return std::nullopt;
}

Result<std::optional<UserRecord>> record_of_serial(Context& ctx, std::string_view serial) {
    const std::optional<std::string> user = push_serial_user(serial);
    if (!user) return std::optional<UserRecord>();
    return ctx.store->peek_record(*user);
}

PushHttpReply poll(Context& ctx, const PushSigner& signer, const Form& f) {
    if (auto m = f.missing({"serial", "timestamp", "signature"}))
        return fail(400, 905, "Missing parameter: " + std::string(*m));
    const std::string_view serial = *f.get("serial"), ts = *f.get("timestamp");
    auto rec = record_of_serial(ctx, serial);
    if (!rec.ok()) return fail(503, 500, "The service is unavailable.");
    const UserRecord* r = *rec ? &**rec : nullptr;
    if (auto refused = check_signed_time(ctx, r, serial, ts, std::string(serial) + "|" + std::string(ts),
                                         *f.get("signature"), kPollWindow))
        return *refused;
    const std::string user = *push_serial_user(serial);
    std::string list;
    const std::int64_t now = ctx.now();
    for (const PushRequest& q : r->push_requests) {
        if (q.serial != serial || q.state != "open" || q.expires_at <= now) continue;
        const std::string question = question_of(q, user);
        auto sig = signer.sign(push_challenge_sign_string(q.nonce, ctx.config.push.url, serial, question,
                                                          ctx.config.push.title, q.options));
        if (!sig.ok()) return fail(500, 500, "Could not sign the request.");
        if (!list.empty()) list += ", ";
        list += R"({"nonce": )" + json_string(q.nonce) + R"(, "question": )" + json_string(question) +
                R"(, "serial": )" + json_string(serial) + R"(, "title": )" +
                json_string(ctx.config.push.title) + R"(, "sslverify": "1", "url": )" +
                json_string(ctx.config.push.url) + R"(, "require_presence": )" + json_string(q.options) +
                R"(, "version": "2", "signature": )" + json_string(*sig) + "}";
    }
    return {200, push_reply_ok("[" + list + "]")};
}

PushHttpReply register_app(Context& ctx, const PushSigner& signer, const Form& f) {
    if (auto m = f.missing({"serial", "enrollment_credential", "pubkey"}))
        return fail(400, 905, "Missing parameter: " + std::string(*m));
    const std::string_view serial = *f.get("serial");
    auto key = normalize_app_key(*f.get("pubkey"));
    if (!key.ok()) return fail(400, 905, "Invalid public key: " + key.error().message);
    auto server_key = signer.public_key_pkcs1();
    if (!server_key.ok()) return fail(500, 500, "Could not read the server key.");
    const std::optional<std::string> user = push_serial_user(serial);
    if (!user) return fail(404, 601, "No token with this serial number in the rollout state 'clientwait'.");
    std::optional<PushHttpReply> refusal;
    Status st = retry_on_conflict([&]() -> Status {
        refusal.reset();
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(*user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        if (!rec || !rec->push_pending || rec->push_pending->serial != serial ||
            !rec->push_pending->app_key.empty() || rec->push_pending->expires_at <= ctx.now()) {
            refusal = fail(404, 601, "No token with this serial number in the rollout state 'clientwait'.");
            return ok_status();
        }
        if (!ct_equal(sha256_hex(*f.get("enrollment_credential")), rec->push_pending->credential_hash)) {
            ctx.log.logf(LogLevel::warning, "push registration with a wrong enrollment credential");
            refusal = fail(400, 905,
                           "Invalid enrollment credential. You are not authorized to finalize this token.");
            return ok_status();
        }
        rec->push_pending->app_key = *key;
        return txn->put_record(*rec);
    });
    if (!st.ok()) return fail(503, 500, "The service is unavailable.");
    if (refusal) return *refusal;
    ctx.log.logf(LogLevel::info, "push app registered its key; waiting for the test request");
    return {200, push_reply_ok("true", R"({"serial": )" + json_string(serial) +
                                           R"(, "rollout_state": "enrolled", "public_key": )" +
                                           json_string(*server_key) + "}")};
}

PushHttpReply update_token(Context& ctx, const Form& f) {
    if (auto m = f.missing({"new_fb_token", "serial", "timestamp", "signature"}))
        return fail(400, 905, "Missing parameter: " + std::string(*m));
    const std::string_view serial = *f.get("serial"), ts = *f.get("timestamp");
    auto rec = record_of_serial(ctx, serial);
    if (!rec.ok()) return fail(503, 500, "The service is unavailable.");
    const std::string text =
        std::string(*f.get("new_fb_token")) + "|" + std::string(serial) + "|" + std::string(ts);
    if (auto refused = check_signed_time(ctx, *rec ? &**rec : nullptr, serial, ts, text, *f.get("signature"),
                                         kUpdateWindow))
        return *refused;
    return value(true);  // poll-only: there is nothing to store
}

PushHttpReply answer(Context& ctx, const Form& f) {
    if (auto m = f.missing({"serial", "nonce", "signature"}))
        return fail(400, 905, "Missing parameter: " + std::string(*m));
    const std::string_view serial = *f.get("serial"), nonce = *f.get("nonce");
    const bool decline = f.get("decline").value_or("") == "1" || f.get("decline").value_or("") == "true";
    const std::string_view reason = f.get("decline_reason").value_or("");
    const std::string_view presence = f.get("presence_answer").value_or("");
    const std::optional<std::string> user = push_serial_user(serial);
    if (!user) return value(false);  // like a bad signature: serials are not revealed
    bool accepted_or_declined = false;
    // The answer that changed the request, for the audit event.
    bool settled = false;
    Outcome settled_as = Outcome::failure;
    Status st = retry_on_conflict([&]() -> Status {
        accepted_or_declined = false;
        settled = false;
        CHORUS_ASSIGN_OR_RETURN(auto txn, ctx.store->begin(*user));
        CHORUS_ASSIGN_OR_RETURN(std::optional<UserRecord> rec, txn->record());
        if (!rec) return ok_status();
        PushRequest* req = nullptr;
        for (PushRequest& q : rec->push_requests)
            if (q.nonce == nonce && q.serial == serial) req = &q;
        if (req == nullptr || req->state != "open" || req->expires_at <= ctx.now()) return ok_status();
        // Built from the stored nonce and serial: the app's copy is only a key to find them.
        std::string text = req->nonce + "|" + req->serial;
        if (decline) {
            text += "|decline";
            if (!reason.empty()) text += "|" + std::string(reason);
        } else if (!presence.empty()) {
            text += "|" + std::string(presence);
        }
        if (!verify_app_signature(app_key_of(*rec, serial), text, *f.get("signature"))) {
            ctx.log.logf(LogLevel::warning, "push answer for %s with a bad signature: ignored",
                         user->c_str());
            return ok_status();  // nothing changes: whoever sent it does not hold the phone's key
        }
        if (decline) {
            req->state = reason == "cancelled" ? "cancelled" : "declined";
            accepted_or_declined = true;
            settled = true;
            settled_as = Outcome::declined;
        } else if (!presence.empty() && ct_equal(presence, req->answer)) {
            req->state = "accepted";
            accepted_or_declined = true;
            settled = true;
            settled_as = Outcome::success;
        } else {
            settled = true;
            settled_as = Outcome::failure;
            // A wrong pick: the user did not see the login screen, or someone guesses.
            ctx.log.logf(LogLevel::warning, "push request for %s answered with the wrong number",
                         user->c_str());
            req->state = "wrong";
        }
        return txn->put_record(*rec);
    });
    if (!st.ok()) return fail(503, 500, "The service is unavailable.");
    if (settled) {
        Event e;
        e.kind = EventKind::push_answer;
        e.outcome = settled_as;
        e.method = EventMethod::push;
        e.user = *user;
        if (settled_as == Outcome::failure) e.reason = "wrong number";
        emit(ctx, e);
    }
    return value(accepted_or_declined);
}

}  // namespace

PushHttpReply push_endpoint(Context& ctx, const PushSigner& signer, std::string_view method,
                            const PushFields& fields) {
    const Form f(fields);
    if (!ctx.config.push.enabled) return fail(403, 303, "Push approval is not enabled.");
    if (f.repeated()) return fail(400, 905, "A parameter was given twice.");
    if (method == "GET") return poll(ctx, signer, f);
    if (method != "POST") return fail(405, 905, "Method not allowed.");
    if (f.get("new_fb_token")) return update_token(ctx, f);
    if (f.get("pubkey")) return register_app(ctx, signer, f);
    if (f.get("signature")) return answer(ctx, f);
    return fail(400, 905, "Missing parameters!");
}

}  // namespace chorus
