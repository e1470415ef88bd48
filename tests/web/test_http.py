#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""chorus-web at the HTTP level, against the real service, the real SMTP
sink and gateway, real accounts and PAM: the whole reset and sign-in over
the API, and the attacks a public page meets (CSRF, Host header, session
fixation, rate limits, account enumeration by answer and by timing,
oversized and slow requests), privilege separation and failing closed.

    test_http.py --web W --broker B --deliver D --ctl C --module M --reset-service S CASE
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

from web_env import OLD_PASSWORD, Client, Env, Fail, case_registry, check, run

NEW_PASSWORD = "Fresh-Start-93"
CASES = {}
case = case_registry(CASES)


def signed_in_with_one_flow(env):
    """A new account signed in on a started service: its client and the
    broker's pid (which has exactly the session's flow as child)."""
    user = env.add_user()
    env.start()
    c = Client(env)
    c.session()
    j, _ = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, env.app_code()])
    check(j["ok"], "sign-in: %r" % j)
    broker = children(env.proc.pid)[0]
    check(len(children(broker)) == 1, "no flow process for the session")
    return c, broker


def reset_to_second_factor(env, c, identifier):
    c.session()
    check(c.post("/api/reset/start", identifier=identifier)["ok"], "reset start refused")
    j = c.post("/api/reset/code", code=env.wait_mail_code())
    check(j["ok"], "emailed code refused: %r" % j)
    return j["methods"]


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


def answers_for(env, identifier, wrong_codes=3):
    """What a requester sees for identifier: every answer of the steps
    anyone can reach without the emailed code."""
    c = Client(env)
    c.session()
    seen = [c.post("/api/reset/start", identifier=identifier)]
    for _ in range(wrong_codes):
        seen.append(c.post("/api/reset/code", code="000000"))
    seen.append(c.post("/api/reset/resend"))
    for answer in seen:
        answer.pop("csrf", None)  # a fresh random token at the start, whoever asks
    return seen


@case
def enumeration_by_answer(env):
    """A registered account, an unknown name, an account without a proven
    email and an unknown address all get the same answers, and only the
    registered one gets mail."""
    real = env.add_user(email="real@example.org")
    unproven = env.add_user()
    env.ctl("set-email", "--no-prove", unproven, "unproven@example.org")
    env.start()
    base = answers_for(env, real)
    for other in ["nosuchuser%d" % os.getpid(), unproven, "nobody-here@example.org", "unproven@example.org"]:
        got = answers_for(env, other)
        check(got == base, "answers differ for %s:\n%r\n%r" % (other, base, got))
    env.wait_mail_code()
    time.sleep(1)
    mails = env.mails()
    check(len(mails) == 1 and "real@example.org" in mails[0], "mail went elsewhere: %d mails" % len(mails))


@case
def enumeration_by_timing(env):
    """Starting a reset takes as long for an unknown name as for a real
    account (medians of 15, within 40 ms)."""
    real = env.add_user(email="timing@example.org")
    env.start()

    def median_start(identifier):
        times = []
        for _ in range(15):
            c = Client(env)
            c.session()
            t = time.monotonic()
            check(c.post("/api/reset/start", identifier=identifier)["ok"], "start refused")
            times.append(time.monotonic() - t)
        return statistics.median(times)

    known = median_start(real)
    unknown = median_start("nosuch%d" % os.getpid())
    print("median reset start: account %.1f ms, unknown %.1f ms" % (known * 1000, unknown * 1000))
    check(abs(known - unknown) < 0.040, "timing tells accounts apart: %.1f vs %.1f ms" % (known * 1000, unknown * 1000))


@case
def csrf_and_origin(env):
    """A POST without the session's token, with another session's token, from
    another origin or marked cross-site is refused and does nothing."""
    user = env.add_user(email="csrf@example.org")
    env.start()
    victim, attacker = Client(env), Client(env)
    victim.session()
    attacker.session()
    tries = [({"csrf": ""}, {}), ({"csrf": "0" * 64}, {}), ({"csrf": attacker.csrf}, {}),
             ({}, {"Origin": "http://evil.example"}), ({}, {"Sec-Fetch-Site": "cross-site"})]
    for fields, headers in tries:
        f = {"identifier": user}
        f.update(fields)
        r, j, _ = victim.request("POST", "/api/reset/start", f, headers=headers)
        check(r.status == 403 and j["ok"] is False, "refused? %d %r for %r %r" % (r.status, j, fields, headers))
    time.sleep(1.5)
    check(env.mails() == [], "a refused request sent mail")
    check(victim.post("/api/reset/start", identifier=user)["ok"], "the genuine request was refused")
    env.wait_mail_code()


@case
def security_headers(env):
    """Every answer carries the strict CSP and friends; the session cookie is
    HttpOnly, Secure and SameSite=Strict; API answers are not cached."""
    env.start()
    c = Client(env)
    for path in ["/", "/reset", "/info", "/static/reset.js", "/api/session", "/nothing"]:
        r, _, _ = c.request("GET", path)
        h = {k.lower(): v for k, v in r.getheaders()}
        csp = h.get("content-security-policy", "")
        check("default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
              and "unsafe" not in csp, "CSP of %s: %r" % (path, csp))
        check(h.get("x-frame-options") == "DENY" and h.get("x-content-type-options") == "nosniff",
              "framing headers of " + path)
        if path == "/api/session":
            cookie = h.get("set-cookie", "")
            for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]:
                check(flag in cookie, "cookie lacks %s: %r" % (flag, cookie))
            check(h.get("cache-control") == "no-store", "API answer may be cached")
    r, _, _ = c.request("GET", "/static/../../etc/passwd")
    check(r.status == 404, "a path outside the pages was served")
    for name in ["reset.html", "info.html", "index.html"]:
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "tools", "chorus-web", "web", name)) as f:
            text = f.read()
        check(not re.search(r"<script(?![^>]*\bsrc=)", text) and not re.search(r"\son[a-z]+\s*=", text),
              name + " has inline script")
        check("http://" not in text and "https://" not in text, name + " loads something from elsewhere")


@case
def host_header_ignored(env):
    """No answer is built from the Host header: a forged Host never shows up."""
    user = env.add_user(email="host@example.org")
    env.start()
    c = Client(env)
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for method, path in [("GET", "/"), ("GET", "/reset"), ("GET", "/api/session"), ("GET", "/nothing")]:
        r, _, body = c.request(method, path, headers=evil)
        text = body + repr(r.getheaders())
        check("evil" not in text, "the forged host is echoed by %s" % path)
    r, j, body = c.request("POST", "/api/reset/start", {"identifier": user}, headers=evil)
    check(j["ok"] and "evil" not in body + repr(r.getheaders()), "the forged host is echoed by a POST")
    env.wait_mail_code()
    check(all("evil" not in m for m in env.mails()), "the mail names the forged host")


@case
def session_fixation(env):
    """A session id chosen by the client is never adopted, and signing in
    replaces the id: the id from before no longer works."""
    user = env.add_user(email="fix@example.org")
    env.ctl("set-default", user, "app")
    env.start()
    c = Client(env)
    chosen = "a" * 64
    c.cookie = chosen
    c.session()
    check(c.cookie != chosen and len(c.cookie) == 64, "a chosen session id was adopted")
    before, before_csrf = c.cookie, c.csrf
    first = c.post("/api/signin", user=user)
    j, prompts = c.converse(first, [OLD_PASSWORD, env.app_code()])
    check(j["ok"] and prompts == ["Password: ", "Verification code: "], "sign-in: %r %r" % (j, prompts))
    check(c.cookie != before and c.csrf != before_csrf, "the session id did not change at sign-in")
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 200 and j["ok"] and j["user"] == user, "the new session is not signed in: %r" % j)
    old = Client(env)
    old.cookie, old.csrf = before, before_csrf
    r, j, _ = old.request("GET", "/api/info")
    check(r.status == 401 and not j["ok"], "the id from before sign-in still works")


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
def reset_session_rotates(env):
    """A reset gets a new session id when it starts and again when its
    second factor passes: an id planted before is worth nothing."""
    user = env.add_user(email="rot@example.org")
    env.start()
    c = Client(env)
    c.session()
    planted = (c.cookie, c.csrf)
    check(c.post("/api/reset/start", identifier=user)["ok"], "start refused")
    check(c.cookie != planted[0] and c.csrf != planted[1], "the id did not change at reset start")
    check(c.post("/api/reset/code", code=env.wait_mail_code())["ok"], "code refused")
    before = (c.cookie, c.csrf)
    j, _ = c.converse(c.post("/api/reset/second", method="app"), [env.app_code()])
    check(j["ok"] and c.cookie != before[0] and c.csrf != before[1], "the id did not change after the proofs")
    for cookie, csrf in [planted, before]:
        old = Client(env)
        old.cookie, old.csrf = cookie, csrf
        r, j, _ = old.request("POST", "/api/reset/set", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        check(r.status == 401 and not j["ok"], "an old id set the password: %d %r" % (r.status, j))
    check(env.password_works(user, OLD_PASSWORD), "the password changed through an old id")
    check(c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)["ok"], "the current id was refused")


@case
def flows_per_address(env):
    """One address holds at most an eighth of web.max_sessions flows (here
    2 of 16): a third is refused, another client is not."""
    env.start()
    started = []
    for i in range(3):
        c = Client(env)
        c.session()
        r, j, _ = c.request("POST", "/api/reset/start", {"identifier": "someone%d" % i},
                            headers={"X-Forwarded-For": "192.0.2.1"})
        started.append(r.status)
    check(started == [200, 200, 503], "flows from one address: %r" % started)
    c = Client(env)
    c.session()
    r, j, _ = c.request("POST", "/api/reset/start", {"identifier": "someone9"}, headers={"X-Forwarded-For": "192.0.2.2"})
    check(r.status == 200 and j["ok"], "another address was refused: %d %r" % (r.status, j))


@case
def sign_out_ends_the_flow(env):
    """Signing out ends the flow process and the session."""
    c, broker = signed_in_with_one_flow(env)
    cookie, csrf = c.cookie, c.csrf
    check(c.post("/api/signout")["ok"], "sign-out refused")
    deadline = time.time() + 5
    while children(broker) and time.time() < deadline:
        time.sleep(0.1)
    check(children(broker) == [], "the flow outlived the sign-out")
    old = Client(env)
    old.cookie, old.csrf = cookie, csrf
    r, _, _ = old.request("GET", "/api/info")
    check(r.status == 401, "the signed-out session still works")


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
def session_idle_timeout(env):
    """A signed-in session left idle for web.session_idle is over, and its
    flow process is gone."""
    c, broker = signed_in_with_one_flow(env)
    time.sleep(62)
    r, j, _ = c.request("GET", "/api/info")
    check(r.status == 401, "an idle session still works: %d %r" % (r.status, j))
    check(children(broker) == [], "the idle flow process is still there")


@case
def rate_limit_per_address(env):
    """requests_per_minute posts and new sessions per address: a new cookie
    does not reset the budget."""
    env.start()
    c = Client(env)
    c.session()  # 1 of 5
    for i in range(6):
        r, _, _ = c.request("POST", "/api/reset/start", {"identifier": "user%d" % i})
        check((r.status == 200) == (i < 4), "post %d answered %d" % (i + 2, r.status))
    fresh = Client(env)
    r, _, _ = fresh.request("GET", "/api/session")
    check(r.status == 429 and not fresh.cookie, "a new session escaped the budget: %d" % r.status)
    r, _, _ = fresh.request("POST", "/api/reset/start", {"identifier": "user9"})
    check(r.status in (401, 429), "a post without a session answered %d" % r.status)


@case
def rate_limit_per_account(env):
    """account_attempts_per_hour sign-ins per name, across sessions; another
    name is not affected."""
    user = env.add_user()
    env.start()
    for i in range(4):
        c = Client(env)
        c.session()
        r, j, _ = c.request("POST", "/api/signin", {"user": user.upper() if i % 2 else user})
        if i < 3:
            check(r.status == 200 and j.get("state") == "ask", "attempt %d refused: %r" % (i + 1, j))
        else:
            check(r.status == 429, "attempt 4 answered %d" % r.status)
    c = Client(env)
    c.session()
    r, _, _ = c.request("POST", "/api/signin", {"user": "someoneelse"})
    check(r.status == 200, "another account was limited too")


@case
def oversized_requests(env):
    """A body over 8 KiB is refused unread; oversized headers are refused;
    the service goes on."""
    env.start()
    c = Client(env)
    c.session()
    r, j, _ = c.request("POST", "/api/reset/start", {"identifier": "x" * 20000})
    check(r.status == 413, "a 20 kB body answered %d" % r.status)
    try:
        r, _, _ = c.request("GET", "/", headers={"X-Big": "y" * 70000})
        check(r.status in (413, 431, 400), "huge headers answered %d" % r.status)
    except (ConnectionError, OSError):
        pass  # closed without an answer is a refusal too
    r, _, _ = c.request("GET", "/reset")
    check(r.status == 200, "the service stopped answering")


@case
def slow_requests(env):
    """A client that sends its request slowly is cut off after
    web.request_timeout, and others are served meanwhile."""
    env.start()
    slow = []
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", env.port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    c = Client(env)
    r, _, _ = c.request("GET", "/reset")
    check(r.status == 200, "a slow client blocked others")
    time.sleep(4.5)
    for s in slow:
        s.settimeout(2)
        try:
            data = s.recv(100)
        except socket.timeout:
            raise Fail("a silent connection was kept past the timeout")
        except ConnectionResetError:
            data = b""
        check(data == b"" or data.startswith(b"HTTP/1.1 4") or data.startswith(b"HTTP/1.1 5"),
              "a half request was answered: %r" % data[:40])
        s.close()


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(proc_status(int(d)).get("PPid", "0")) == pid:
                    out.append(int(d))
            except OSError:
                pass
    return out


@case
def privilege_separation(env):
    """The process that parses HTTP runs as web.user with no capabilities
    and no way back; it holds nothing of the state directory. The broker
    (root) and the flows are its children."""
    env.start()
    Client(env).session()
    st = proc_status(env.proc.pid)
    nobody = run(["id", "-u", "nobody"]).stdout.strip()
    check(st["Uid"].split() == [nobody] * 4, "HTTP process uids: %s" % st["Uid"])
    check(st["Groups"].strip() == "", "supplementary groups kept: %r" % st["Groups"])
    check(int(st["CapEff"], 16) == 0 and int(st["CapPrm"], 16) == 0, "capabilities kept")
    check(st["NoNewPrivs"].strip() == "1", "setuid programs could raise it again")
    state = os.path.join(env.dir, "state")
    for fd in os.listdir("/proc/%d/fd" % env.proc.pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (env.proc.pid, fd))
        except OSError:
            continue
        check(not target.startswith(env.dir) or target == env.log, "the HTTP process holds " + target)
    p = subprocess.run(["setpriv", "--reuid", nobody, "--regid", nobody, "--clear-groups", "ls", state],
                       capture_output=True)
    check(p.returncode != 0, "web.user can read the state directory")
    brokers = [p for p in children(env.proc.pid) if proc_status(p)["Uid"].split()[0] == "0"]
    check(len(brokers) == 1, "no root broker child: %r" % brokers)


@case
def broker_gone_fails_closed(env):
    """With the broker killed, every step is refused, none succeeds."""
    user = env.add_user(email="gone@example.org")
    env.start()
    c = Client(env)
    methods = reset_to_second_factor(env, c, user)
    check(methods == ["app"], "methods %r" % methods)
    for pid in children(env.proc.pid):
        for flow in children(pid):
            os.kill(flow, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    first = c.post("/api/reset/second", method="app")
    check(first.get("ok") is False, "a step succeeded without the broker: %r" % first)
    c2 = Client(env)
    c2.session()
    r, j, _ = c2.request("POST", "/api/reset/start", {"identifier": user})
    check(j["ok"] is False, "a reset started without the broker: %r" % j)
    r, j, _ = c2.request("POST", "/api/signin", {"user": user})
    check(j["ok"] is False or j.get("state") != "ask", "a sign-in started without the broker")
    check(env.password_works(user, OLD_PASSWORD), "the password changed")


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


def main():
    ap = argparse.ArgumentParser()
    for opt in ["web", "broker", "deliver", "ctl", "module", "reset-service"]:
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("case", choices=sorted(CASES))
    o = ap.parse_args()
    extra = {"rate_limit_per_address": "  requests_per_minute: 5\n",
             "rate_limit_per_account": "  account_attempts_per_hour: 3\n",
             "slow_requests": "  request_timeout: 3\n",
             "session_idle_timeout": "  session_idle: 60\n",
             "flows_per_address": "  max_sessions: 16\n  trusted_proxy: true\n"}.get(o.case, "")
    env = Env(o, web_extra=extra)
    try:
        env.install_pam()
        CASES[o.case](env)
    except Fail as e:
        print("FAIL:", e)
        if env.proc is not None:
            print(env.log_text())
        return 1
    finally:
        env.cleanup()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
