// SPDX-License-Identifier: BSD-2-Clause
// The reset operations: what chorus-reset does on a terminal, one request
// per step. The library keeps the answers the same whether or not the
// account exists; nothing here branches on it before both proofs passed.
#include <syslog.h>

#include "broker/flow_state.hpp"
#include "broker/pam_ops.hpp"

namespace chorus_web {

Message password_rules(FlowState& f, const char* user, const std::string& password) {
    chorus_tools::Checklist cl;
    const int rc =
        chorus_password_check(f.ctx.get(), user, nullptr, password.c_str(), CHORUS_PW_RESET, cl.out());
    if (rc != CHORUS_OK) return error_reply(rc);
    Message m("ok");
    for (size_t i = 0; i < chorus_checklist_count(cl.get()); ++i) {
        m.set("rule", chorus_checklist_rule_id(cl.get(), i));
        m.set("rule_text", chorus_checklist_rule_text(cl.get(), i));
        m.set("met", chorus_checklist_rule_met(cl.get(), i) == 1 ? "1" : "0");
    }
    m.set("all_met", chorus_checklist_ok(cl.get()) == 1 ? "1" : "0");
    return m;
}

namespace {

Message start(FlowState& f, const Message& req) {
    if (f.kind != FlowKind::none) return error_reply(CHORUS_ERR_PERMISSION, "a reset is already under way");
    const int rc = chorus_reset_start(f.ctx.get(), req.get("identifier").c_str(), f.reset.out());
    if (rc != CHORUS_OK) return error_reply(rc);
    f.kind = FlowKind::reset;
    return Message("ok");
}

Message send_code(FlowState& f) {
    long long wait = 0;
    const int rc = chorus_reset_send_code(f.ctx.get(), f.reset.get(), &wait);
    if (rc == CHORUS_OK) return Message("ok");
    Message m = error_reply(rc);
    m.set("wait", std::to_string(wait));
    return m;
}

Message methods(FlowState& f) {
    chorus_tools::Strings list;
    const int rc = chorus_reset_methods(f.ctx.get(), f.reset.get(), list.out(), list.count_out());
    if (rc != CHORUS_OK) return error_reply(rc);
    Message m("ok");
    for (size_t i = 0; i < list.size(); ++i) m.set("method", list[i]);
    return m;
}

Message set_password(FlowState& f, const Message& req) {
    const char* user = chorus_reset_user(f.reset.get());
    if (user == nullptr) return error_reply(CHORUS_ERR_PERMISSION, "the reset was not proven");
    const std::string password = req.get("password");
    if (password != req.get("confirm"))
        return error_reply(CHORUS_ERR_INVALID_ARG, "The two passwords are not the same.");
    // The full check with the account's history, on the server, whatever
    // the page's checklist showed.
    Message rules = password_rules(f, user, password);
    if (rules.op != "ok") return rules;
    if (rules.get("all_met") != "1") {
        rules.op = "error";
        rules.set("rc", std::to_string(CHORUS_ERR_PASSWORD_RULES))
            .set("text", "The password does not meet every rule.");
        return rules;
    }
    const std::string name = user;
    if (!pam_set_password(name, password, f.rhost, f.bridge))
        return finish(f, CHORUS_ERR_IO,
                      "The password could not be set. Try again later, or ask your administrator.");
    f.finished = true;
    const int rc = chorus_reset_finish(f.ctx.get(), f.reset.get());
    if (rc != CHORUS_OK) {
        // The password is set: say so, and that the rest did not happen.
        syslog(LOG_ERR, "reset of %s: password set, but finishing failed: %s", name.c_str(),
               chorus_strerror(rc));
        f.bridge.show(true,
                      "Your password was changed, but a lockout on your account could not be cleared. "
                      "If you cannot sign in, ask your administrator.");
    }
    return finish(f, CHORUS_OK);
}

}  // namespace

Message handle_reset(FlowState& f, Message& req) {
    if (req.op == "reset.start") return start(f, req);
    if (f.kind != FlowKind::reset || f.finished)
        return error_reply(CHORUS_ERR_PERMISSION, "start a reset first");
    if (req.op == "reset.send") return send_code(f);
    if (req.op == "reset.check")
        return finish(f, chorus_reset_check_code(f.ctx.get(), f.reset.get(), req.get("code").c_str()));
    if (req.op == "reset.methods") return methods(f);
    if (req.op == "reset.second")
        return finish(f, chorus_reset_second_factor(f.ctx.get(), f.reset.get(), req.get("method").c_str(),
                                                    f.bridge.prompter()));
    if (req.op == "reset.rules")
        return password_rules(f, chorus_reset_user(f.reset.get()), req.get("password"));
    if (req.op == "reset.set") return set_password(f, req);
    return error_reply(CHORUS_ERR_INVALID_ARG, "unknown operation");
}

}  // namespace chorus_web
