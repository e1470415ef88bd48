# SPDX-License-Identifier: BSD-2-Clause
"""What a public page meets, over HTTP (run by test_http.py): enumeration by
answer and timing, CSRF and cross-origin posts, headers, a forged Host,
session fixation, rate and flow limits, oversized and slow requests,
privilege separation, a killed broker, idle and signed-out sessions."""
import os
import re
import signal
import socket
import statistics
import subprocess
import time

from web_env import (NEW_PASSWORD, OLD_PASSWORD, Client, Fail, check, children, http_case as case, proc_status,
                     reset_to_second_factor, run, signed_in_with_one_flow)

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
        # The re-send's wait counts down from the session's own send: it may
        # read one second less when the steps before it crossed a second
        # boundary (a real account's wrong codes are written to disk). The
        # time is compared by enumeration_by_timing; here, the words.
        def words(answers):
            return [{k: v for k, v in a.items() if k != "wait"} for a in answers]
        waits = [(a.get("wait"), b.get("wait")) for a, b in zip(base, got)]
        same_wait = all(w == v or (None not in (w, v) and abs(w - v) <= 1) for w, v in waits)
        check(words(got) == words(base) and same_wait,
              "answers differ for %s:\n%r\n%r %r" % (other, base, got, waits))
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
def metrics_local_only(env):
    """web.metrics: /metrics answers a scraper on this host with the host's
    counters (the sign-in just made is counted); a request through a proxy
    (a forwarding header) or not a GET gets the 404 of a missing page."""
    c, _ = signed_in_with_one_flow(env)
    scraper = Client(env)
    end = time.time() + 10
    while True:
        r, _, body = scraper.request("GET", "/metrics")
        if 'chorus_logins_total{result="success",method="app"} 1\n' in body or time.time() > end:
            break
        time.sleep(0.2)
    check(r.status == 200, "/metrics answered %d" % r.status)
    check(r.getheader("Content-Type", "").startswith("text/plain; version=0.0.4"), "the exposition format's type")
    check('chorus_logins_total{result="success",method="app"} 1\n' in body, "the web sign-in is counted:\n" + body)
    check("chorus_store_seconds_count " in body and not scraper.cookie, "no session for a scrape")
    for h in ({"X-Forwarded-For": "192.0.2.1"}, {"Forwarded": "for=192.0.2.1"}, {"X-Real-IP": "192.0.2.1"}):
        r, _, body = scraper.request("GET", "/metrics", headers=h)
        check(r.status == 404 and "chorus_" not in body, "a forwarded scrape (%r) answered %d" % (h, r.status))
    r, _, body = scraper.request("POST", "/metrics", raw_body="")
    check(r.status == 404 and "chorus_" not in body, "a POST to /metrics answered %d" % r.status)


@case
def metrics_off_by_default(env):
    """Without web.metrics there is no /metrics, not even for loopback."""
    env.start()
    r, _, body = Client(env).request("GET", "/metrics")
    check(r.status == 404 and "chorus_" not in body, "/metrics answered %d with metrics off" % r.status)

