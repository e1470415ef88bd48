# SPDX-License-Identifier: BSD-2-Clause
"""Audit events and metrics against what the test did: a test account
logs in through the real pam_chorus.so (pamtester) with app codes, a
recovery code, wrong codes into a lockout; an admin unlocks and removes its
methods with chorusctl. The records captured from the journal socket (and
from /dev/log for the syslog form) must count exactly those logins, carry
the service and remote host, and hold no key, code or password; `chorusctl
metrics` must count the same. Needs root (a test account, /etc/pam.d);
exits 77 otherwise.

    test_events.py --module M --ctl C CASE
"""
import argparse
import base64
import hashlib
import hmac
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import collector  # noqa: E402
from capture import Capture, CaptureUnavailable, tally  # noqa: E402

SKIP = 77
KEY = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
LOGIN_ID = "5a01e8d5ba214009b2f37e403a20f968"  # MESSAGE_ID of a login (stable)
RHOST = "192.0.2.9"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def totp(key, t):
    k = base64.b32decode(key)
    mac = hmac.new(k, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def run(argv, inp=None, ok=True):
    p = subprocess.run(argv, input=inp, capture_output=True, text=True, timeout=60)
    if ok and p.returncode != 0:
        raise Fail("%s failed (%d): %s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


class Env:
    def __init__(self, o):
        if os.geteuid() != 0:
            print("SKIP: needs root (a test account, /etc/pam.d)")
            raise SystemExit(SKIP)
        self.o = o
        self.tag = "cev%d" % os.getpid()
        self.user = self.tag
        self.dir = tempfile.mkdtemp(prefix="chorus-events.")
        os.chmod(self.dir, 0o700)
        self.pam_files = []
        self.user_made = False
        self.counters = os.path.join(self.dir, "run", "counters")
        self.cfg = self.config("chorus.yaml", "")
        self.capture = Capture()

    def config(self, name, extra):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("store: { path: %s/state }\n" % self.dir)
            f.write("lockout: { max_failures: 3, lock_seconds: 600 }\n")
            f.write("audit:\n  counters: %s\n%s" % (self.counters, extra))
        os.chmod(path, 0o600)
        return path

    def service(self, cfg, suffix):
        name = "chorus-evt-%s-%d" % (suffix, os.getpid())
        path = "/etc/pam.d/" + name
        mod = "%s config=%s" % (self.o.module, cfg)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w") as f:
            f.write("# chorus events test %d\nauth required pam_permit.so\nauth required %s\n"
                    "account required %s\n" % (os.getpid(), mod, mod))
        self.pam_files.append(path)
        return name

    def start(self):
        run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", self.user])
        self.user_made = True
        try:
            self.capture.open()
        except CaptureUnavailable as e:
            print("SKIP: %s" % e)
            raise SystemExit(SKIP)

    def close(self):
        self.capture.close()
        for p in self.pam_files:
            try:
                os.unlink(p)
            except OSError:
                pass
        if self.user_made:
            run(["userdel", self.user], ok=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def ctl(self, *args, cfg=None):
        return run([self.o.ctl, "--config", cfg or self.cfg] + list(args))

    def login(self, service, user, answer):
        """One pamtester login answering the code prompt; (exit status, pid)."""
        p = subprocess.Popen(["pamtester", "-I", "rhost=" + RHOST, service, user, "authenticate"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out, _ = p.communicate(answer + "\n", timeout=60)
        return p.returncode, p.pid, out

    def records(self, since):
        return self.capture.records(since)

    def events_of(self, since, settle_for=0):
        """The events of this test's account (waiting for `settle_for`)."""
        return self.capture.wait(settle_for, since, CHORUS_USER=self.user)


def metric(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    raise Fail("no %s in the metrics:\n%s" % (series, text))


def case_logins_counted(env):
    since = time.time() - 1
    service = env.service(env.cfg, "a")
    env.ctl("enroll", env.user, "--secret", KEY)
    recovery = env.ctl("recovery-codes", env.user).stdout.split()
    check(len(recovery) >= 2, "recovery codes printed: %r" % recovery)
    now = time.time()
    typed = []
    for offset in (0, 30):  # two steps: the second is not a replay of the first
        code = totp(KEY, now + offset)
        typed.append(code)
        rc, _, out = env.login(service, env.user, code)
        check(rc == 0, "login with the app's code refused: %s" % out)
    rc, _, out = env.login(service, env.user, recovery[0])
    check(rc == 0, "login with a recovery code refused: %s" % out)
    wrong = [str((int(totp(KEY, now)) + 500000 + i) % 1000000).zfill(6) for i in range(1, 5)]
    for w in wrong:  # two failures, the third locks, the fourth finds the lock
        rc, _, _ = env.login(service, env.user, w)
        check(rc != 0, "a wrong code was accepted")
    env.ctl("unlock", env.user)
    # The syslog form: the same login event as a line of KEY=value fields.
    cfg2 = env.config("chorus-syslog.yaml", "  journal: false\n")
    service2 = env.service(cfg2, "s")
    rc, _, _ = env.login(service2, env.user, wrong[0])
    check(rc != 0, "a wrong code was accepted (syslog form)")
    # A name that is no account: reported without the name.
    ghost = "ghost" + env.tag
    rc, _, _ = env.login(service, ghost, wrong[1])
    check(rc != 0, "an unknown account got in")
    env.ctl("unenroll", env.user, "--all")

    evs = env.events_of(since, settle_for=14)
    got = tally(evs)
    expected = {
        ("registration", "success", "app"): 1,
        ("registration", "success", "recovery"): 1,
        ("login", "success", "app"): 2,
        ("login", "success", "recovery"): 1,
        ("login", "failure", "none"): 3,  # two, then the one through syslog
        ("login", "locked", "none"): 2,
        ("lockout", "locked", "none"): 1,
        ("unlock", "success", "none"): 1,
        ("removal", "success", "app"): 1,
        ("removal", "success", "recovery"): 1,
    }
    check(got == expected, "events of %s:\n got      %r\n expected %r" % (env.user, sorted(got.items()),
                                                                         sorted(expected.items())))
    logins = [f for f in evs if f["CHORUS_EVENT"] == "login"]
    check(all(f["MESSAGE_ID"] == LOGIN_ID for f in logins), "a login event with another MESSAGE_ID")
    check(all(f.get("CHORUS_RHOST") == RHOST for f in logins), "a login event without the remote host")
    check(sum(1 for f in logins if f.get("CHORUS_SERVICE") == service) == 7, "logins through %s" % service)
    records = env.records(since)
    via_syslog = [r for r in records if r["via"] == "syslog" and r["fields"].get("CHORUS_USER") == env.user]
    check(len(via_syslog) == 1 and via_syslog[0]["fields"].get("CHORUS_SERVICE") == service2 and
          via_syslog[0]["fields"].get("CHORUS_RESULT") == "failure",
          "one syslog line for the login through %s: %r" % (service2, via_syslog))
    check(via_syslog[0]["fields"].get("SYSLOG_FACILITY") == "10", "the syslog line is authpriv")
    ghosts = [f for f in collector.events(records) if f.get("CHORUS_REASON") == "unknown account" and
              f.get("CHORUS_SERVICE") == service]
    check(len(ghosts) == 1 and "CHORUS_USER" not in ghosts[0], "the unknown account's login: %r" % ghosts)
    # Nothing secret in anything captured meanwhile, events or not.
    for s in [KEY] + typed + wrong + recovery:
        hits = [r for r in records if s in str(r)]
        check(not hits, "%r appears in a captured record: %r" % (s, hits[:2]))
    # The name typed for no account (perhaps a password) is in no event;
    # the module's own log line names it, as sshd's "Invalid user" does.
    check(not [f for f in collector.events(records) if ghost in str(f)], "the unknown name is in an event")
    for f in collector.events(records):
        problems = collector.findings(f)
        check(not problems, "%s in %r" % (problems, f))

    # The host's counters say the same (the unknown account is a failure).
    text = env.ctl("metrics").stdout
    for series, want in (('chorus_logins_total{result="success",method="app"}', 2),
                         ('chorus_logins_total{result="success",method="recovery"}', 1),
                         ('chorus_logins_total{result="failure",method="none"}', 4),
                         ('chorus_logins_total{result="locked",method="none"}', 2),
                         ("chorus_lockouts_total", 1), ("chorus_unlocks_total", 1),
                         ('chorus_registrations_total{result="success",method="app"}', 1),
                         ('chorus_registrations_total{result="success",method="recovery"}', 1),
                         ('chorus_removals_total{method="app"}', 1),
                         ('chorus_removals_total{method="recovery"}', 1)):
        check(metric(text, series) == want, "%s is %s, not %d" % (series, metric(text, series), want))
    # Nine logins, each one or two store operations (the check before the
    # prompt, the verify); chorusctl's reads and writes are not a login's.
    count = metric(text, "chorus_store_seconds_count")
    check(9 <= count <= 18, "store operations timed: %s" % count)
    check(metric(text, 'chorus_store_seconds_bucket{le="+Inf"}') == count, "the histogram's +Inf bucket is its count")
    # The textfile for node_exporter: the same text, written whole.
    out_dir = os.path.join(env.dir, "textfile")
    os.mkdir(out_dir)
    env.ctl("metrics", "--textfile", out_dir, "--users")
    with open(os.path.join(out_dir, "chorus.prom")) as f:
        prom = f.read()
    check(metric(prom, 'chorus_logins_total{result="success",method="app"}') == 2, "the textfile's logins")
    check(metric(prom, "chorus_users_registered") == 0, "no user is registered after unenroll --all")
    check(os.listdir(out_dir) == ["chorus.prom"], "only chorus.prom is left: %r" % os.listdir(out_dir))
    check(oct(os.stat(os.path.join(out_dir, "chorus.prom")).st_mode & 0o777) == "0o644", "chorus.prom is 0644")


def case_config_refused(env):
    since = time.time() - 1
    bad = os.path.join(env.dir, "broken.yaml")
    with open(bad, "w") as f:
        f.write("store: { path: %s/state }\nlockout: { max_failures: lots }\n" % env.dir)
    os.chmod(bad, 0o600)
    service = env.service(bad, "b")
    rc, pid, out = env.login(service, env.user, "123456")
    check(rc != 0, "a login went through with a broken configuration: %s" % out)
    end = time.time() + 10
    mine = []
    while time.time() < end and not mine:
        mine = [r["fields"] for r in env.records(since)
                if r.get("pid") == pid and r["fields"].get("CHORUS_EVENT") == "config-refused"]
        time.sleep(0.1)
    check(len(mine) == 1, "one config-refused event from pamtester %d: %r" % (pid, mine))
    check(mine[0]["PRIORITY"] == "3" and mine[0]["CHORUS_RESULT"] == "refused", "refused, at error level: %r" % mine)


def case_counter_page_refused(env):
    """A counter page someone else could write is not used; logins go on."""
    since = time.time() - 1
    os.makedirs(os.path.dirname(env.counters), mode=0o755)
    with open(env.counters, "w") as f:
        f.write("x")
    os.chmod(env.counters, 0o666)
    service = env.service(env.cfg, "c")
    env.ctl("enroll", env.user, "--secret", KEY)
    rc, _, out = env.login(service, env.user, totp(KEY, time.time()))
    check(rc == 0, "a broken counter page stopped a login: %s" % out)
    check(os.path.getsize(env.counters) == 1, "the world-writable page was written to")
    evs = env.events_of(since, settle_for=2)
    check(("login", "success", "app") in tally(evs), "the login is still reported: %r" % evs)
    p = run([env.o.ctl, "--config", env.cfg, "metrics"], ok=False)
    check(p.returncode != 0 and "writable" in p.stderr, "metrics refuses the page: %s" % p.stderr)


def case_account_stage_reported(env):
    """A user without a method: let in by an optional policy, refused by a
    required one; each is one login event of the account stage."""
    since = time.time() - 1
    optional = env.service(env.config("optional.yaml", "enrollment: { policy: optional }\n"), "o")
    required = env.service(env.cfg, "r")  # the default policy: required
    # PAM_SILENT: no registration can be shown, so the policy alone decides.
    for service, want in ((optional, 0), (required, 1)):
        p = run(["pamtester", service, env.user, "acct_mgmt(PAM_SILENT)"], ok=False)
        check((p.returncode != 0) == bool(want), "account stage through %s: %s%s" % (service, p.stdout, p.stderr))
    evs = env.events_of(since, settle_for=2)
    check(tally(evs) == {("login", "success", "none"): 1, ("login", "refused", "none"): 1},
          "account stage events: %r" % evs)
    refused = [f for f in evs if f["CHORUS_RESULT"] == "refused"][0]
    check(refused.get("CHORUS_REASON") == "registration required" and refused.get("CHORUS_SERVICE") == required,
          "the refusal says why and where: %r" % refused)


CASES = {"logins_counted": case_logins_counted, "account_stage_reported": case_account_stage_reported, "config_refused": case_config_refused,
         "counter_page_refused": case_counter_page_refused}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--module", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    o = ap.parse_args()
    env = Env(o)
    try:
        env.start()
        CASES[o.case](env)
    except Fail as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        env.close()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
