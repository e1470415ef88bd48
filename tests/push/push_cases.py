# SPDX-License-Identifier: BSD-2-Clause
"""The cases of test_push.py. Each starts from a fresh environment: a test
account with an app, chorus-web started, the emulator as the phone."""
import re
import threading
import time

from push_env import check, wait_requests, Fail
from web_env import case_registry

CASES = {}
CASE_ENV = {}  # per-case PushEnv arguments
case = case_registry(CASES)


def registered(env):
    """A started service and an account whose phone is registered for push."""
    user = env.add_user()
    env.start()
    dev = env.register(user, env.device())
    st = env.status(user)
    check("push" in st["methods"] and st["default_method"] == "push", "push registered and default: %r" % st)
    return user, dev


def push_login(env, user, dev, rhost="192.0.2.1"):
    """Starts a login; returns it, the number it shows and the request on the phone."""
    p = env.login(user, rhost=rhost)
    number = p.wait_for(r"Approve the sign-in on your phone: choose (\d\d)")
    # Requests for other logins may still be open (one that lost its store
    # cannot close its own): the one for this login names its client.
    mine = [r for r in wait_requests(dev, 1) if r["question"].endswith(" from %s?" % rhost)]
    check(len(mine) == 1, "one request for this login on the phone")
    ch = mine[0]
    check(number in ch["require_presence"].split(","), "the number shown (%s) is among the phone's options: %r" % (number, ch))
    check(user in ch["question"] and rhost in ch["question"], "the phone names user and client: %r" % ch)
    return p, number, ch


def failures(env, user):
    return env.status(user)["failures"]


@case
def approve(env):
    since = time.time() - 1
    user, dev = registered(env)
    p, number, ch = push_login(env, user, dev)
    status, j = dev.accept(ch, number)
    check(status == 200 and j["result"]["value"] is True, "approval taken: %r" % (j,))
    check(p.finish() == 0, "the approved login succeeds: %s" % p.text())
    check(failures(env, user) == 0, "no failure counted")
    check(wait_requests(dev, 0) == [], "nothing left open on the phone")
    # The app, then the phone (after its test request), then the login.
    env.expect_events(since, user, {("registration", "success", "app"): 1, ("registration", "success", "push"): 1,
                                    ("push-answer", "success", "push"): 2, ("login", "success", "push"): 1})


@case
def deny(env):
    """Declined on the phone: the login fails at once and counts a failure."""
    since = time.time() - 1
    user, dev = registered(env)
    p, number, ch = push_login(env, user, dev)
    status, j = dev.decline(ch)
    check(j["result"]["value"] is True, "decline taken: %r" % (j,))
    check(p.finish() != 0, "a declined login is refused: %s" % p.text())
    check(failures(env, user) == 1, "the refusal counts as a failed code")
    env.expect_events(since, user, {("registration", "success", "app"): 1, ("registration", "success", "push"): 1,
                                    ("push-answer", "success", "push"): 1, ("push-answer", "declined", "push"): 1,
                                    ("login", "failure", "push"): 1})


@case
def wrong_choice(env):
    """The phone picks a number other than the one shown: refused, counted,
    and the request is closed (no second guess)."""
    since = time.time() - 1
    user, dev = registered(env)
    p, number, ch = push_login(env, user, dev)
    wrong = [o for o in ch["require_presence"].split(",") if o != number][0]
    status, j = dev.accept(ch, wrong)
    check(status == 200 and j["result"]["value"] is False, "a wrong pick is not taken: %r" % (j,))
    status, j = dev.accept(ch, number)
    check(j["result"]["value"] is False, "no second guess after a wrong pick: %r" % (j,))
    check(p.finish() != 0, "the login is refused: %s" % p.text())
    check(failures(env, user) == 1, "the wrong pick counts as a failed code")
    env.expect_events(since, user, {("registration", "success", "app"): 1, ("registration", "success", "push"): 1,
                                    ("push-answer", "success", "push"): 1, ("push-answer", "failure", "push"): 1,
                                    ("login", "failure", "push"): 1})


@case
def expiry(env):
    """Nobody answers: the login ends after push.timeout and counts a
    failure; an answer that comes later is refused."""
    user, dev = registered(env)
    started = time.time()
    p, number, ch = push_login(env, user, dev)
    check(p.finish(40) != 0, "an unanswered login is refused: %s" % p.text())
    check(time.time() - started >= 9, "the login waited for push.timeout (10 s)")
    status, j = dev.accept(ch, number)
    check(j["result"]["value"] is False, "a late approval is refused: %r" % (j,))
    check(failures(env, user) == 1, "the timeout counts as a failed code")


@case
def replayed_answer(env):
    """A captured approval, sent again, lets nothing in: not its own login
    again, not the next login."""
    user, dev = registered(env)
    p, number, ch = push_login(env, user, dev)
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken")
    check(p.finish() == 0, "the approved login succeeds: %s" % p.text())
    check(dev.accept(ch, number)[1]["result"]["value"] is False, "the replay is refused")
    p2 = env.login(user, rhost="192.0.2.2")
    p2.wait_for(r"choose (\d\d)")
    ch2 = wait_requests(dev, 1)[0]
    check(ch2["nonce"] != ch["nonce"], "a new login has a new request")
    replay = dict(ch, nonce=ch["nonce"])
    check(dev.accept(replay, number)[1]["result"]["value"] is False, "the old answer does not fit the new request")
    check(wait_requests(dev, 1)[0]["nonce"] == ch2["nonce"], "the new request is still open")
    dev.decline(ch2)
    check(p2.finish() != 0, "the second login was not let in by the replay")


@case
def foreign_key(env):
    """An answer signed by another device's key changes nothing: the request
    stays open and the real phone can still approve it."""
    user, dev = registered(env)
    other = env.device()
    p, number, ch = push_login(env, user, dev)
    status, j = dev.accept(ch, number, key=other.key)
    check(status == 200 and j["result"]["value"] is False, "a foreign signature is refused: %r" % (j,))
    check(wait_requests(dev, 1)[0]["nonce"] == ch["nonce"], "the request is still open")
    status, j, _ = dev.poll(key=other.key)
    check(status == 400 and "signature" in j["result"]["error"]["message"], "a foreign poll is refused: %r" % (j,))
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "the real phone approves")
    check(p.finish() == 0, "and the login succeeds: %s" % p.text())


@case
def unknown_serial(env):
    """An unknown serial is answered like a bad signature: serials (and the
    accounts in them) are not revealed. Stale timestamps are refused."""
    user, dev = registered(env)
    bad_sig = dev.poll(key=env.device().key)
    for serial in ["CHPUAAAAAAAAAAAAAAAAnobody", "CHPU" + "A" * 16 + "root", "garbage", dev.serial[:-1]]:
        status, j, _ = dev.poll(serial=serial)
        check((status, j["result"]) == (bad_sig[0], bad_sig[1]["result"]),
              "serial %r answered differently from a bad signature: %d %r" % (serial, status, j))
        status, j = dev.accept({"nonce": "A" * 32, "serial": serial}, "00")
        check(status == 200 and j["result"]["value"] is False, "an answer for %r: %r" % (serial, j))
    from push_device import iso_now
    status, j, _ = dev.poll(ts=iso_now(-120))
    check(status == 400 and "range" in j["result"]["error"]["message"], "a stale poll is refused: %r" % (j,))
    status, j, _ = dev.poll(ts="yesterday")
    check(status == 400 and "parse" in j["result"]["error"]["message"], "a bad timestamp is refused: %r" % (j,))
    status, j = dev.update_token()
    check(status == 200 and j["result"]["value"] is True, "the app's token update is taken: %r" % (j,))
    status, j = dev.t.send("POST", {"serial": dev.serial, "fbtoken": "x", "pubkey": dev.pubkey_b64(),
                                    "enrollment_credential": "0" * 40})
    check(status == 404, "a second registration of an enrolled serial is refused: %d %r" % (status, j))


@case
def locked_user(env):
    """A locked account sends nothing to the phone."""
    user, dev = registered(env)
    for i in range(2):
        p = env.login(user, rhost="192.0.2.9", stdin="000000\n")
        check(p.finish() != 0, "a wrong code is refused")
    check(env.status(user)["locked"], "two failures lock (lockout.max_failures: 2)")
    before = len(wait_requests(dev, 0))
    p = env.login(user)
    check(p.finish() != 0, "a locked account's login is refused: %s" % p.text())
    check("Approve" not in p.text() and "Too many attempts" in p.text(), "no push, the lock is named: %s" % p.text())
    check(len(wait_requests(dev, 0)) == before == 0, "nothing reached the phone")


CASE_ENV["locked_user"] = {"lockout": "max_failures: 2"}


@case
def register_needs_approval(env):
    """The phone becomes a method only after it approved the test request;
    a wrong enrollment credential registers nothing."""
    user = env.add_user()
    env.start()
    dev = env.device()
    p = env.enroll_push(user)
    uri = p.wait_for(r"(otpauth://pipush/\S+)")
    status, j = dev.register(uri, credential="0" * 40)
    check(status == 400 and "credential" in j["result"]["error"]["message"], "a wrong credential: %r" % (j,))
    status, j = dev.register(uri)
    check(status == 200, "the right credential registers: %r" % (j,))
    p.send("\n")
    p.wait_for(r"choose (\d\d)")
    ch = wait_requests(dev, 1)[0]
    dev.decline(ch)
    p.send("\n")
    check(p.finish() != 0, "a declined test request fails the registration: %s" % p.text())
    st = env.status(user)
    check("push" not in st["methods"] and st["default_method"] == "app", "nothing saved: %r" % st)


@case
def parallel_logins_one_approval(env):
    """50 logins at once for one user: at most push.max_requests reach the
    phone (the others are refused and logged), and one approval lets in
    exactly one login."""
    user, dev = registered(env)
    logins = [env.login(user, rhost="198.51.100.%d" % (i + 1)) for i in range(50)]
    reqs = wait_requests(dev, 14, timeout=30)  # 15 allowed per window, one spent by the test request
    time.sleep(1)
    reqs = wait_requests(dev, 0)
    check(len(reqs) == 14, "requests on the phone: %d, expected 14" % len(reqs))
    target = reqs[0]
    rhost = target["question"].rsplit(" from ", 1)[1].rstrip("?")
    chosen = logins[int(rhost.rsplit(".", 1)[1]) - 1]
    number = chosen.wait_for(r"choose (\d\d)")
    check(dev.accept(target, number)[1]["result"]["value"] is True, "approval taken")
    codes = [p.finish(60) for p in logins]
    check(codes.count(0) == 1 and codes[int(rhost.rsplit(".", 1)[1]) - 1] == 0,
          "exactly the approved login got in: %r" % codes)
    # Every login but the 14 on the phone is refused by the fatigue limit;
    # under a loaded machine one may instead not get the user's lock in time
    # (busy), which makes no request and falls back to the code prompt.
    shown = [p for p in logins if re.search(r"choose \d\d", p.text())]
    refused = [p for p in logins if "Too many requests to your phone" in p.text()]
    neither = [p.text() for p in logins if p not in shown and p not in refused]
    check(len(shown) == 14, "logins that showed a number: %d, expected 14" % len(shown))
    check(len(refused) + len(neither) == 36 and len(neither) <= 2,
          "logins refused a push by the fatigue limit: %d; neither shown nor refused: %r" % (len(refused), neither))


CASE_ENV["parallel_logins_one_approval"] = {"lockout": "max_failures: 1000",
                                            "push_extra": "  max_requests: 15\n"}


@case
def store_unreadable(env):
    """The state becomes unsafe while a login waits: the login denies, and
    the endpoint refuses the phone instead of guessing."""
    import os
    user, dev = registered(env)
    p, number, ch = push_login(env, user, dev)
    import glob
    state = glob.glob(os.path.join(env.dir, "state", "*.rec"))[0]
    os.chmod(state, 0o644)  # readable by others: the store refuses the file
    try:
        status, j = dev.accept(ch, number)
        check(status == 503 and j["result"]["status"] is False, "answer with the store refused: %d %r" % (status, j))
        check(p.finish(40) != 0, "the waiting login denies: %s" % p.text())
    finally:
        os.chmod(state, 0o600)
    check(env.status(user)["failures"] <= 1, "state still readable after")


@case
def reset_by_push(env):
    """Forgot password in the web portal with push as the second method."""
    from web_env import Client, NEW_PASSWORD, reset_to_second_factor
    user, dev = registered(env)
    env.ctl("set-email", "--proven", user, "push@example.org")
    c = Client(env)
    methods = reset_to_second_factor(env, c, user)
    check("push" in methods, "push offered: %r" % methods)
    first = c.post("/api/reset/second", method="push")
    check(first.get("state") == "ask", "asked to approve: %r" % first)
    number = __import__("re").search(r"choose (\d\d)", first["prompt"]).group(1)
    ch = wait_requests(dev, 1)[0]
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken")
    j, _ = c.converse(first, [""])
    check(j["ok"], "the approved second factor: %r" % j)
    check(c.post("/api/reset/set", password=NEW_PASSWORD, confirm=NEW_PASSWORD)["ok"], "password not set")
    check(env.password_works(user, NEW_PASSWORD), "the new password works")


@case
def fleet_store_and_database_down(env):
    """With the PostgreSQL store: the phone's answer reaches the waiting
    login through the database; with the database stopped mid-wait the
    phone is refused and the login denies; once it is back, logins resume."""
    import os
    import re
    import sys
    import tempfile
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgresql"))
    import pg_server
    if pg_server.find_bindir() is None:
        raise Fail("PostgreSQL is not installed")
    top = tempfile.mkdtemp(prefix="chorus-push-pg.")
    os.chmod(top, 0o755)  # the server runs as postgres
    pg = pg_server.Server(top)
    try:
        pg.init()
        key = os.path.join(env.dir, "fleet.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(os.urandom(32).hex() + "\n")
        with open(env.cfg) as f:
            text = f.read()
        store = ('store:\n  backend: postgresql\n  path: %s/state\n  conninfo: "%s"\n  plugin: %s\n'
                 '  seal_key_file: %s\n' % (env.dir, pg.conninfo(), env.o.plugin, key))
        with open(env.cfg, "w") as f:
            f.write(re.sub(r"^store: .*\n", store, text, flags=re.M))
        env.ctl("db", "init", "--plugin", env.o.plugin)
        user, dev = registered(env)
        check(pg.psql("SELECT count(*) FROM chorus.users") != "0", "the state is in the database")
        p, number, ch = push_login(env, user, dev)
        check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken")
        check(p.finish() == 0, "approved through the database: %s" % p.text())
        p, number, ch = push_login(env, user, dev, rhost="192.0.2.7")
        pg.stop()
        status, j = dev.accept(ch, number)
        check(status == 503 and j["result"]["status"] is False, "database down: the phone is refused: %d %r"
              % (status, j))
        check(p.finish(60) != 0, "database down: the waiting login denies: %s" % p.text())
        pg.start()
        p, number, ch = push_login(env, user, dev, rhost="192.0.2.8")
        check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken after the restart")
        check(p.finish() == 0, "logins resume: %s" % p.text())
    finally:
        pg.stop()
        import shutil
        shutil.rmtree(top, ignore_errors=True)


@case
def sshd_login_approved(env):
    """Over a real sshd and the OpenSSH client: the number is read from the
    prompt the client shows, the emulator taps it, the login goes through."""
    import json
    import os
    import sys
    import threading
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
    from sshd_env import SshdEnv
    from web_env import OLD_PASSWORD, SECRET
    s = SshdEnv(env.o.module, name="chpush%d" % (os.getpid() % 100000))
    try:
        user = s.add_user("", OLD_PASSWORD)
        s.start()
        # The sshd's PAM service reads this environment's configuration, so
        # its logins and chorus-web share one store.
        with open(s.pam_file) as f:
            text = f.read().replace(s.config, env.cfg)
        with open(s.pam_file, "w") as f:
            f.write(text)
        env.ctl("enroll", user, "--secret", SECRET)
        env.start()
        dev = env.register(user, env.device())
        result = {}
        t = threading.Thread(target=lambda: result.update(r=s.ssh(user, password=OLD_PASSWORD, push="")))
        t.start()
        transcript = os.path.join(s.dir, "transcript.jsonl")
        number, end = None, time.time() + 30
        while number is None and time.time() < end:
            if os.path.exists(transcript):
                with open(transcript) as f:
                    for line in f:
                        m = __import__("re").search(r"choose (\d\d)", json.loads(line)["prompt"])
                        number = m.group(1) if m else number
            time.sleep(0.1)
        check(number is not None, "the client showed the number")
        mine = [r for r in wait_requests(dev, 1) if r["question"].endswith(" from 127.0.0.1?")]
        check(len(mine) == 1 and number in mine[0]["require_presence"].split(","), "the request names ssh's client")
        check(dev.accept(mine[0], number)[1]["result"]["value"] is True, "approval taken")
        t.join(60)
        r = result.get("r")
        check(r is not None and r.logged_in, "the ssh login went through: %s" % (r.describe() if r else "none"))
        check(r.kinds() == ["password", "push"], "prompts: %r" % r.kinds())
    finally:
        s.close()


@case
def first_login_registers_push(env):
    """Registration at first login (the account stage, after the password)
    offers push; the phone is saved after its test request, with recovery
    codes as the way back in, and the next login is approved on it."""
    import re
    user = env.add_user(enroll=False)
    env.start()
    dev = env.device()
    p = env.account(user, stdin="2\n\n\n")
    uri = p.wait_for(r"(otpauth://pipush/\S+)")
    check(dev.register(uri)[0] == 200, "the app registered")
    number = p.wait_for(r"Approve the test request on your phone: choose (\d\d)")
    ch = wait_requests(dev, 1)[0]
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "test request approved")
    check(p.finish(60) == 0, "the first login goes on: %s" % p.text())
    check("Choose 1 or 2" in p.text() and len(re.findall(r"\b\w{4}-\w{4}-\w{4}\b", p.text())) >= 5,
          "the choice was offered and recovery codes shown: %s" % p.text())
    st = env.status(user)
    check(st["methods"] == ["recovery", "push"] and st["default_method"] == "push", "registered: %r" % st)
    p, number, ch = push_login(env, user, dev)
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken")
    check(p.finish() == 0, "the next login is approved on the phone: %s" % p.text())


@case
def web_security_info_adds_push(env):
    """chorus-web's Security info: after a fresh proof, the QR code, the
    app's registration and the test request tapped on the phone add the
    phone; the next web sign-in is approved on it."""
    import re
    from web_env import Client, OLD_PASSWORD
    user = env.add_user()
    codes = env.ctl("recovery-codes", user).stdout.split()
    env.start()
    c = Client(env)
    c.session()
    j, _ = c.converse(c.post("/api/signin", user=user), [OLD_PASSWORD, codes[0]])
    check(j["ok"], "sign-in: %r" % j)
    j = c.post("/api/push/new")
    check(not j["ok"], "no QR code without a fresh proof: %r" % j)
    j, _ = c.converse(c.post("/api/confirm"), [OLD_PASSWORD, codes[1]])
    check(j["ok"], "confirmed: %r" % j)
    j = c.post("/api/push/new")
    check(j["ok"] and j["uri"].startswith("otpauth://pipush/") and "<svg" in j["svg"], "QR code: %r" % j)
    dev = env.device()
    check(dev.register(j["uri"])[0] == 200, "the app registered")
    first = c.post("/api/push/finish")
    check(first.get("state") == "ask", "asked to approve: %r" % first)
    number = re.search(r"choose (\d\d)", first["prompt"]).group(1)
    ch = wait_requests(dev, 1)[0]
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "test request approved")
    j, _ = c.converse(first, [""])
    check(j["ok"], "the phone was added: %r" % j)
    info = c.request("GET", "/api/info")[1]
    check(info["push"] is True and info["default"] == "push", "info shows the phone: %r" % info)
    c.post("/api/signout")
    c2 = Client(env)
    c2.session()
    first = c2.post("/api/signin", user=user)
    j, prompts = first, []
    while j.get("state") == "ask":
        prompts.append(j["prompt"])
        if "approved" in j["prompt"]:
            number = re.search(r"choose (\d\d)", " ".join(m["text"] for m in j.get("messages", [])) + j["prompt"])
            ch = wait_requests(dev, 1)[0]
            dev.accept(ch, number.group(1))
            j = c2.post("/api/answer", text="")
        else:
            j = c2.post("/api/answer", text=OLD_PASSWORD)
    check(j["ok"], "web sign-in approved on the phone: %r %r" % (j, prompts))


@case
def fallback_to_code(env):
    """At the push prompt the user types a code from the app instead: the
    login goes through and the request is withdrawn from the phone."""
    user, dev = registered(env)
    p = env.login(user, stdin=env.app_code() + "\n")
    p.wait_for(r"choose (\d\d)")
    check(p.finish() == 0, "a code from the app logs in instead: %s" % p.text())
    check(wait_requests(dev, 0) == [], "the request was withdrawn")


@case
def terminal_reset_by_push(env):
    """chorus-reset offers push as the second method and waits for the phone."""
    import os
    import re
    import sys
    import types
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reset"))
    from harness import Session
    from web_env import NEW_PASSWORD
    user, dev = registered(env)
    env.ctl("set-email", "--proven", user, "push@example.org")
    s = Session(types.SimpleNamespace(o=types.SimpleNamespace(reset=env.o.reset), cfg=env.cfg))
    s.expect(r"Username or email address: ")
    s.send(user)
    s.expect(r"Verification code \(or 'resend'\): ")
    s.send(env.wait_mail_code())
    s.expect(r"Choose a number: ")
    pick = re.search(r"(\d)\) approve on my phone", s.text())
    check(pick is not None, "push is offered: %s" % s.text())
    s.send(pick.group(1))
    s.expect(r"choose \d\d")
    number = re.findall(r"choose (\d\d)", s.text())[-1]
    ch = wait_requests(dev, 1)[0]
    check(dev.accept(ch, number)[1]["result"]["value"] is True, "approval taken")
    s.send("")
    s.expect(r"New password: ")
    s.send(NEW_PASSWORD)
    s.expect(r"Confirm new password: ")
    s.send(NEW_PASSWORD)
    s.expect(r"Your password has been reset")
    check(s.wait() == 0, "chorus-reset finished: %s" % s.text())
    check(env.password_works(user, NEW_PASSWORD), "the new password works")
