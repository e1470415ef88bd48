# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures of the chorus-web tests: a private configuration and state, the
real SMTP sink and HTTP gateway of tests/deliver (delivered to through the
real chorus-deliver), test accounts, the PAM services the portal uses, and
the real chorus-web started on a loopback port and stopped by PID."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DELIVER = os.path.join(HERE, "..", "deliver")
WEB_ROOT = os.path.join(HERE, "..", "..", "tools", "chorus-web", "web")
sys.path.insert(0, DELIVER)
from deliver_env import Server, closed_port as free_port  # noqa: E402  the real SMTP sink and HTTP gateway
SKIP = 77
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OLD_PASSWORD = "Old-Passw0rd-7"
MARK = "# installed by tests/web/web_env.py pid "


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def case_registry(cases):
    """A decorator that files a test case in `cases` under its name."""
    def case(fn):
        cases[fn.__name__] = fn
        return fn
    return case


def run_case(env, body, teardown=None):
    """Runs one case on env (PAM services installed first), then tears
    down; the exit status: 0 passed, 1 failed (its log printed)."""
    try:
        env.install_pam()
        body()
    except Fail as e:
        print("FAIL:", e)
        if env.proc is not None:
            print(env.log_text())
        return 1
    finally:
        if teardown is not None:
            teardown()
        env.cleanup()
    print("ok")
    return 0


HTTP_CASES = {}  # the cases of test_http.py, filed by http_flows.py and http_attacks.py
http_case = case_registry(HTTP_CASES)
NEW_PASSWORD = "Fresh-Start-93"


def run(argv, inp=None, check=True):
    p = subprocess.run(argv, input=inp, capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise Fail("%s failed (%d): %s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


class Env:
    def __init__(self, opts, web_extra="", gateway_mode="ok", extra_config=""):
        if os.geteuid() != 0:
            print("SKIP: needs root (test accounts, /etc/pam.d, dropping privileges)")
            raise SystemExit(SKIP)
        self.o = opts
        self.dir = tempfile.mkdtemp(prefix="chorus-web-test.")
        os.chmod(self.dir, 0o700)
        self.users, self.pam_files, self.servers = [], [], []
        self.proc = None
        self.mail_dir = os.path.join(self.dir, "mail")
        self.gw_dir = os.path.join(self.dir, "gateway")
        os.mkdir(self.mail_dir)
        os.mkdir(self.gw_dir)
        self.smtp = Server("smtp_sink.py", self.mail_dir, "ok")
        self.servers.append(self.smtp)
        self.gateway = Server("gateway.py", self.gw_dir, gateway_mode)
        self.servers.append(self.gateway)
        self.port = free_port()
        self.base = "http://localhost:%d" % self.port
        self.pam_service = "chorus-web-test-%d" % os.getpid()
        self.cfg = os.path.join(self.dir, "chorus.yaml")
        with open(self.cfg, "w") as f:
            f.write("store: { path: %s/state }\n" % self.dir)
            f.write("password: { min_length: 10, history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }\n")
            f.write("delivery:\n  helper: %s\n  timeout: 10\n" % opts.deliver)
            f.write("  smtp_url: \"smtp://127.0.0.1:%d\"\n  email_from: chorus@example.org\n" % self.smtp.port)
            f.write("  sms_url: \"http://127.0.0.1:%d/sms\"\n" % self.gateway.port)
            f.write("  voice_url: \"http://127.0.0.1:%d/voice\"\n" % self.gateway.port)
            f.write("web:\n  port: %d\n  base_url: \"%s\"\n  pam_service: %s\n  user: nobody\n"
                    % (self.port, self.base, self.pam_service))
            if "max_sessions" not in web_extra:
                web_extra += "  max_sessions: 1000\n"  # room for many sessions from one address
            if "requests_per_minute" not in web_extra:
                # Cases make many sessions from one address; only the rate
                # limit case keeps a small budget.
                web_extra += "  requests_per_minute: 1000\n"
            f.write(web_extra)
            f.write(extra_config)
        os.chmod(self.cfg, 0o600)

    # ---- PAM
    def install_pam(self):
        """The sign-in service (named in web.pam_service) and the reset
        service the broker is built for (installed only when absent)."""
        self._write_pam("/etc/pam.d/" + self.pam_service, "auth required pam_unix.so\naccount required pam_unix.so\n")
        reset = "/etc/pam.d/" + self.o.reset_service
        if os.path.exists(reset):
            print("SKIP: %s exists; the test installs it only when absent" % reset)
            raise SystemExit(SKIP)
        mod = "%s config=%s" % (self.o.module, self.cfg)
        self._write_pam(reset, "password requisite %s mode=reset\n"
                               "password requisite pam_unix.so use_authtok yescrypt\n"
                               "password optional %s mode=reset\n" % (mod, mod))
        self.login_service = "chorus-web-login-%d" % os.getpid()
        self._write_pam("/etc/pam.d/" + self.login_service, "auth required pam_unix.so\naccount required pam_unix.so\n")

    def _write_pam(self, path, body):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w") as f:
            f.write(MARK + "%d\n" % os.getpid() + body)
        self.pam_files.append(path)

    def password_works(self, user, password):
        p = run(["pamtester", self.login_service, user, "authenticate"], inp=password + "\n", check=False)
        return p.returncode == 0

    # ---- accounts
    def add_user(self, enroll=True, email="", phone="", prefix="chweb"):
        user = "%s%d%s" % (prefix, os.getpid() % 100000, os.urandom(2).hex())
        run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-c", "Web Tester", user])
        self.users.append(user)
        run(["chpasswd"], inp="%s:%s\n" % (user, OLD_PASSWORD))
        if enroll:
            self.ctl("enroll", user, "--secret", SECRET)
        if email:
            self.ctl("set-email", "--proven", user, email)
        if phone:
            self.ctl("set-phone", "--proven", user, phone)
        return user

    def ctl(self, *args, check=True):
        return run([self.o.ctl, "--config", self.cfg] + list(args), check=check)

    # ---- the service
    def start(self):
        self.log = os.path.join(self.dir, "chorus-web.log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([self.o.web, "--config", self.cfg, "--web-root", WEB_ROOT,
                                          "--broker", self.o.broker], stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fail("chorus-web exited (%d): %s" % (self.proc.returncode, self.log_text()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise Fail("chorus-web did not listen: " + self.log_text())

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def cleanup(self):
        self.stop()
        for s in self.servers:
            s.stop()
        for path in self.pam_files:
            try:
                with open(path) as f:
                    mine = f.readline() == MARK + "%d\n" % os.getpid()
                if mine:
                    os.unlink(path)
            except OSError:
                pass
        for user in self.users:
            run(["userdel", "-r", user], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    # ---- deliveries
    def mails(self):
        out = []
        for name in sorted(os.listdir(self.mail_dir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.mail_dir, name), "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
        return out

    def wait_mail_code(self, count=1, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            codes = re.findall(r"reset code is (\d{6})", "\n".join(self.mails()))
            if len(codes) >= count:
                return codes[count - 1]
            time.sleep(0.05)
        raise Fail("no email code #%d arrived" % count)

    def wait_new_mail_code(self, after, timeout=15):
        """The 6-digit code in the first mail after the first `after` ones."""
        end = time.time() + timeout
        while time.time() < end:
            mails = self.mails()
            if len(mails) > after:
                found = re.findall(r"\b(\d{6})\b", mails[after])
                if found:
                    return found[0]
            time.sleep(0.05)
        raise Fail("no mail #%d arrived" % (after + 1))

    def gateway_requests(self):
        path = os.path.join(self.gw_dir, "requests.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def wait_sms_code(self, count=1, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            sms = [r for r in self.gateway_requests() if r["path"].startswith("/sms")]
            codes = [c for r in sms for c in re.findall(r"\b(\d{6})\b", urllib.parse.unquote_plus(r["body"]))]
            if len(codes) >= count:
                return codes[count - 1]
            time.sleep(0.05)
        raise Fail("no SMS code #%d arrived" % count)

    def app_code(self, secret=SECRET):
        return run(["oathtool", "--totp", "-b", secret]).stdout.strip()

    def wait_next_step(self):
        """Sleeps into the next 30-second TOTP step (a code is single-use)."""
        time.sleep(30 - time.time() % 30 + 0.5)


class Client:
    """A cookie-keeping HTTP client that speaks the portal's API."""

    def __init__(self, env, origin=True):
        self.env = env
        self.cookie = ""
        self.csrf = ""
        self.origin = origin

    def request(self, method, path, fields=None, headers=None, raw_body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.env.port, timeout=60)
        h = {"Host": "localhost:%d" % self.env.port}
        if self.cookie:
            h["Cookie"] = "__Host-chorus_session=" + self.cookie
        body = raw_body
        if fields is not None:
            f = dict(fields)
            f.setdefault("csrf", self.csrf)
            body = urllib.parse.urlencode(f)
            h["Content-Type"] = "application/x-www-form-urlencoded"
            if self.origin:
                h["Origin"] = self.env.base
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        conn.close()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("__Host-chorus_session="):
                self.cookie = v.split(";")[0].split("=", 1)[1]
        try:
            j = json.loads(data)
        except ValueError:
            j = None
        if isinstance(j, dict) and j.get("csrf"):
            self.csrf = j["csrf"]
        return r, j, data

    def session(self):
        return self.request("GET", "/api/session")[1]

    def post(self, path, **fields):
        return self.request("POST", path, fields)[1]

    def converse(self, first, answers):
        """Answers each "ask" with the next answer; returns the final reply and the prompts."""
        j, prompts = first, []
        answers = list(answers)
        while j and j.get("state") == "ask":
            prompts.append(j["prompt"])
            if not answers:
                raise Fail("no answer left for prompt %r" % j["prompt"])
            a = answers.pop(0)
            j = self.post("/api/answer", text=a() if callable(a) else a)
        return j, prompts


# ---- helpers of the HTTP cases
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
