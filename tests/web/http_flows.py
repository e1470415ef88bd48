# SPDX-License-Identifier: BSD-2-Clause
"""chorus-web's flows over HTTP (run by test_http.py): the whole reset by
each second method, contacts proven, sign-in and confirmations, a refused
state or configuration, an abandoned conversation."""
import os
import re
import subprocess

from web_env import (NEW_PASSWORD, OLD_PASSWORD, Client, check, http_case as case, reset_to_second_factor)

@case
def reset_full(env):
    """Forgot password over the API: emailed code, a code from the app, the
    rules checked on the server, the password set through PAM."""
    user = env.add_user(email="full@example.org")
    env.start()
    c = Client(env)
    methods = reset_to_second_factor(env, c, "full@example.org")
    check(methods == ["app"], "methods: %r" % methods)
    # Before the second factor nothing can be set.
    j = c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    check(not j["ok"], "a password was set before the second factor")
    first = c.post("/api/reset/second", method="app")
    j, prompts = c.converse(first, ["000000"])
    check(not j["ok"] and "app" in prompts[0], "a wrong app code passed: %r" % j)
    first = c.post("/api/reset/second", method="app")
    j, _ = c.converse(first, [env.app_code()])
    check(j["ok"], "the app code was refused: %r" % j)
    rules = c.post("/api/reset/rules", password="short")
    check(not rules["all_met"] and any(not r["met"] for r in rules["rules"]), "a short password met every rule")
    j = c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")
    check(not j["ok"] and "not the same" in j["error"], "different confirmation accepted: %r" % j)
    j = c.post("/api/reset/set", password="password", confirm="password")
    check(not j["ok"] and any(not r["met"] for r in j["rules"]), "a weak password was set: %r" % j)
    check(env.password_works(user, OLD_PASSWORD), "a refused password changed the account")
    j = c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    check(j["ok"], "the password was not set: %r" % j)
    check(env.password_works(user, NEW_PASSWORD), "the new password does not work")
    check(not env.password_works(user, OLD_PASSWORD), "the old password still works")
    # The flow is spent: no second password from the same proofs.
    j = c.post("/api/reset/set", password="Another-One-77", confirm="Another-One-77")
    check(not j["ok"] and env.password_works(user, NEW_PASSWORD), "a finished reset set a second password")


@case
def reset_by_sms(env):
    """The second factor by SMS through the real gateway."""
    user = env.add_user(email="sms@example.org", phone="+6421555567")
    env.start()
    c = Client(env)
    methods = reset_to_second_factor(env, c, user)
    check("sms" in methods and "call" in methods, "methods: %r" % methods)
    first = c.post("/api/reset/second", method="sms")
    j, prompts = c.converse(first, [lambda: env.wait_sms_code()])
    check(j["ok"] and "text message" in prompts[0], "the SMS code was refused: %r %r" % (j, prompts))
    check(c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)["ok"], "password not set")
    check(env.password_works(user, NEW_PASSWORD), "the new password does not work")


@case
def reset_by_call(env):
    """The second factor by a call answered with #, through the real gateway."""
    user = env.add_user(email="call@example.org", phone="+6421555567")
    env.start()
    c = Client(env)
    reset_to_second_factor(env, c, user)
    j, _ = c.converse(c.post("/api/reset/second", method="call"), [])
    check(j["ok"], "the answered call was refused: %r" % j)
    calls = [r for r in env.gateway_requests() if r["path"].startswith("/voice") and r["method"] == "POST"]
    check(len(calls) == 1, "calls placed: %d" % len(calls))
    check(c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)["ok"], "password not set")
    check(env.password_works(user, NEW_PASSWORD), "the new password does not work")


@case
def add_contacts_proven(env):
    """Security info adds an alternate phone proven by a call and an email
    proven by a code; a wrong code stores nothing."""
    user = env.add_user()
    codes = env.ctl("recovery-codes", user).stdout.split()
    env.start()
    c = Client(env)
    c.session()
    j, _ = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, env.app_code()])
    check(j["ok"], "sign-in: %r" % j)
    j, _ = c.converse(c.post("/api/confirm"), [OLD_PASSWORD, codes[0]])
    check(j["ok"], "confirm: %r" % j)
    j, _ = c.converse(c.post("/api/contact", which="phone2", value="+6421555999", how="call"), [])
    check(j["ok"], "the call proof failed: %r" % j)
    info = c.request("GET", "/api/info")[1]
    check(info["phone2"] == "+6421555999" and info["phone2_proven"], "phone2 not proven: %r" % info)
    j, _ = c.converse(c.post("/api/confirm"), [OLD_PASSWORD, codes[1]])
    j, prompts = c.converse(c.post("/api/contact", which="email", value="me@example.org", how="email"),
                            ["000000", "000000", "000000", "000000", "000000"])
    check(not j["ok"], "a wrong email code proved it: %r" % j)
    check(c.request("GET", "/api/info")[1]["email"] == "", "an unproven email was stored")
    j, _ = c.converse(c.post("/api/confirm"), [OLD_PASSWORD, codes[2]])
    env.wait_new_mail_code(0)  # the refused proof's mail is in: the next one is the new code
    before = len(env.mails())
    j, prompts = c.converse(c.post("/api/contact", which="email", value="me@example.org", how="email"),
                            [lambda: env.wait_new_mail_code(before)])
    check(j["ok"], "the email proof failed: %r %r" % (j, prompts))
    info = c.request("GET", "/api/info")[1]
    check(info["email"] == "me@example.org" and info["email_proven"], "email not proven: %r" % info)


@case
def unreadable_state_refuses(env):
    """A user whose state cannot be read (here: a corrupt record) is not
    signed in on the password alone, at sign-in or at a confirmation."""
    user = env.add_user()
    env.start()
    c = Client(env)
    c.session()
    with open(os.path.join(env.dir, "state", user + ".rec"), "w") as f:
        f.write("this is not a record\n")
    j, prompts = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, "000000"])
    check(not j["ok"], "signed in with the password alone: %r %r" % (j, prompts))
    r, _, _ = c.request("GET", "/api/info")
    check(r.status == 401, "the session is signed in")


@case
def sign_in(env):
    """Wrong password and unknown user read alike; a wrong code is counted;
    nothing is shown before sign-in."""
    user = env.add_user()
    env.start()
    c = Client(env)
    c.session()
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 401, "account info without sign-in")
    outcomes = []
    for name, password in [(user, "wrong-password"), ("nosuch%d" % os.getpid(), "wrong-password")]:
        j, prompts = c.converse(c.post("/api/signin", user=name), [password, "123456"])
        outcomes.append((j["ok"], j["error"], prompts))
    check(outcomes[0] == outcomes[1] and outcomes[0][0] is False, "wrong password vs unknown: %r" % outcomes)
    j, prompts = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, "000000"])
    check(not j["ok"] and prompts[-1] == "Verification code: ", "a wrong code signed in: %r" % j)
    status = env.ctl("status", user).stdout
    check(re.search(r"[Ff]ailures:\s*1", status), "the wrong code was not counted: " + status)
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 401, "a failed sign-in left a signed-in session")
    # A session that is resetting a password, or half-way through a
    # sign-in, is not signed in either.
    check(c.post("/api/reset/start", identifier=user)["ok"], "reset start refused")
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 401, "a resetting session read account info")
    check(c.post("/api/signin", user=user)["state"] == "ask", "no password prompt")
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 401, "a half-signed-in session read account info")


@case
def changes_need_confirmation(env):
    """Each change needs a fresh password and second factor; the proof is
    spent by the change."""
    user = env.add_user(phone="+6421555567")
    codes = env.ctl("recovery-codes", user).stdout.split()
    check(len(codes) >= 3, "no recovery codes: %r" % codes)
    env.start()
    c = Client(env)
    c.session()
    j, _ = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, env.app_code()])
    check(j["ok"], "sign-in failed: %r" % j)
    j = c.post("/api/default", method="sms")
    check(not j["ok"] and "Confirm" in j["error"], "a change without confirmation: %r" % j)
    j, _ = c.converse(c.post("/api/confirm"), ["wrong-password", codes[0]])
    check(not j["ok"], "a wrong password confirmed")
    check(c.post("/api/default", method="sms")["ok"] is False, "a failed confirmation allowed a change")
    j, _ = c.converse(c.post("/api/confirm"), [OLD_PASSWORD, codes[0]])
    check(j["ok"], "confirmation with a recovery code failed: %r" % j)
    check(c.post("/api/default", method="sms")["ok"], "the confirmed change failed")
    check("sms" in env.ctl("status", user).stdout, "the default did not change")
    check(not c.post("/api/default", method="app")["ok"], "one confirmation allowed two changes")


@case
def bad_configuration(env):
    """No base URL, or a web: key out of range: chorus-web does not start,
    and says why."""
    with open(env.cfg) as f:
        text = f.read()
    for bad, want in [(re.sub(r"  base_url: .*\n", "", text), "base_url"),
                      (text + "  session_idle: 5\n", "session_idle"),
                      (text.replace("base_url: \"http", "base_url: \"ftp"), "base_url")]:
        with open(env.cfg, "w") as f:
            f.write(bad)
        p = subprocess.run([env.o.web, "--config", env.cfg, "--broker", env.o.broker], capture_output=True,
                           text=True, timeout=30)
        check(p.returncode != 0 and want in p.stderr, "started with a bad %s (%d): %s" % (want, p.returncode, p.stderr))


@case
def conversation_interrupted(env):
    """A sign-in left at its password prompt does not confuse the next
    request of the same session."""
    user = env.add_user(email="int@example.org")
    env.start()
    c = Client(env)
    c.session()
    j = c.post("/api/signin", user=user)
    check(j["state"] == "ask", "no password prompt")
    check(c.post("/api/reset/start", identifier=user)["ok"], "reset after an abandoned sign-in")
    check(c.post("/api/reset/code", code=env.wait_mail_code())["ok"], "the code was refused after it")
    j = c.post("/api/answer", text=OLD_PASSWORD)
    check(j.get("ok") is False, "an answer reached a conversation that had ended: %r" % j)
