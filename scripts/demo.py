#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The scenario behind scripts/demo, against an installed Chorus.

It plays both sides without a terminal (CI) and exits 0 only if every step
behaved; with --interactive it pauses after registration so a person can
scan the QR code and log in themselves. What it creates is recorded in
/run/chorus-demo.json so that --cleanup can remove it after a crash.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.parse

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "tests", "e2e"), os.path.join(ROOT, "tests", "reset"),
                os.path.join(ROOT, "tests", "push")]
from sshd_env import SshdEnv  # noqa: E402  (the e2e tests' throwaway sshd)
from harness import Session  # noqa: E402  (the reset tests' chorus-reset driver)

USER = "demo"
PASSWORD = "Demo-Pass-2026"
NEW_PASSWORD = "Brand-New-Day7"
WEB_PASSWORD = "Web-Reset-2026x"
EMAIL = "demo@example.org"
PHONE = "+6421555123"
RECORD = "/run/chorus-demo.json"
RESET_SERVICE = "/etc/pam.d/chorus-reset"
COUNTERS_DIR = "/run/chorus-demo"  # the demo's own counter page (audit.counters), removed at the end
MARK = "# Written by the Chorus demo; removed when it ends.\n"


def say(text=""):
    print(text, flush=True)


def heading(n, text):
    say("\n\033[1m== %d. %s\033[0m" % (n, text) if sys.stdout.isatty() else "\n== %d. %s" % (n, text))


class Demo:
    def __init__(self, prefix, interactive):
        self.prefix = prefix
        self.interactive = interactive
        self.results = []
        self.smtp = None
        self.gateway = None
        self.mail_dir = tempfile.mkdtemp(prefix="chorus-demo-mail.")
        self.gateway_dir = tempfile.mkdtemp(prefix="chorus-demo-gateway.")
        self.env = None
        self.reset_pam = False
        self.web = None
        self._web_port = None
        self.resumed_at = 0

    # ---- bookkeeping ---------------------------------------------------------
    def check(self, name, ok, detail=""):
        self.results.append((name, ok))
        say("   %s %s%s" % ("PASS" if ok else "FAIL", name, "" if ok or not detail else "\n" + detail))
        return ok

    def record(self):
        with open(RECORD, "w") as f:
            json.dump({"sshd": self.env.sshd.pid if self.env and self.env.sshd else None,
                       "smtp": self.smtp.pid if self.smtp else None,
                       "gateway": self.gateway.pid if self.gateway else None,
                       "web": self.web.pid if self.web else None,
                       "pam_files": [p for p in [self.env and self.env.pam_file,
                                                 RESET_SERVICE if self.reset_pam else None] if p],
                       "user": USER,
                       "etc_chorus_made": bool(self.env and self.env.made_etc_chorus),
                       "dirs": [d for d in [self.env and self.env.dir, self.mail_dir, self.gateway_dir] if d]}, f)

    # ---- the parts -------------------------------------------------------------
    def start(self):
        self.smtp = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "deliver", "smtp_sink.py"),
                                      self.mail_dir, "ok"], stdout=subprocess.PIPE, text=True)
        smtp_port = int(self.smtp.stdout.readline())
        # The SMS and voice gateway of the tests: it answers every call as if
        # the callee pressed # (a real one asks a telephony provider).
        self.gateway = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "deliver", "gateway.py"),
                                         self.gateway_dir, "ok"], stdout=subprocess.PIPE, text=True)
        gw_port = int(self.gateway.stdout.readline())
        delivery = ("delivery: {{ helper: {h}, smtp_url: \"smtp://127.0.0.1:{p}\", email_from: chorus@demo.test,\n"
                    "  sms_url: \"http://127.0.0.1:{g}/sms\", voice_url: \"http://127.0.0.1:{g}/voice\" }}\n"
                    .format(h=os.path.join(self.prefix, "libexec", "chorus", "chorus-deliver"), p=smtp_port,
                            g=gw_port))
        # The demo resets the password twice within a minute (terminal, then
        # web): a shorter wait between emailed codes than the 30 s default.
        delivery += "reset: { resend_cooldown: 3 }\n"
        delivery += "audit: { counters: %s/counters }\n" % COUNTERS_DIR
        module = os.path.join(self.prefix, "lib", "security", "pam_chorus.so")
        # Sessions of the demo's sshd see the demo's configuration as the
        # default one, so chorus-enroll run there shows the demo's store.
        private = subprocess.run(["unshare", "-m", "--propagation", "private", "true"],
                                 capture_output=True).returncode == 0
        self.env = SshdEnv(module, name="chorus-demo", qr="utf8", extra_config=delivery, client_lang="C.UTF-8",
                           private_etc=private)
        if subprocess.run(["id", USER], capture_output=True).returncode == 0:
            raise SystemExit("demo: a user '%s' already exists; run scripts/demo --cleanup if it is a demo's" % USER)
        self.env.add_user("", PASSWORD, exact_name=USER)
        self.record()
        self.env.start()
        self.record()
        say("A throwaway sshd with pam_chorus listens on 127.0.0.1:%d (PAM service %s)."
            % (self.env.port, self.env.name))

    def register(self):
        heading(1, "First login over ssh registers the app, proves the phone by a call and the email by a code")
        r = self.env.ssh(USER, password=PASSWORD, phone=PHONE, proof_choice="2", email=EMAIL,
                         gateway_requests=os.path.join(self.gateway_dir, "requests.jsonl"), mail_dir=self.mail_dir)
        shown = next((p["prompt"] for p in r.prompts if "Scan this QR code" in p["prompt"]), "")
        say(re.sub(r"^\([^)]*\) ", "", shown.split("Enter the")[0]) if shown else r.describe())
        self.codes = re.findall(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b", r.stderr)
        ok = r.logged_in and bool(shown) and len(self.codes) == 10
        self.check("registration at first login (QR shown, code confirmed, 10 recovery codes)", ok, r.describe())
        calls = [json.loads(x) for x in open(os.path.join(self.gateway_dir, "requests.jsonl"))
                 if '"POST"' in x and "/voice" in x] if os.path.exists(os.path.join(self.gateway_dir,
                                                                                    "requests.jsonl")) else []
        say("   the user chose \"2) Call me\"; the gateway placed a call to %s: %s"
            % (PHONE, json.loads(calls[0]["body"])["message"] if calls else "(none)"))
        record = open(os.path.join(self.env.state, USER + ".rec")).read()
        self.check("phone proven by a call answered with #, email proven by a code",
                   "\nphone.proven_at " in record and "\nemail.proven_at " in record and len(calls) == 1,
                   r.describe())
        if self.env.private_etc:
            r = self.env.ssh(USER, command="echo LOGGED-IN; chorus-enroll --list", password=PASSWORD,
                             code=self.codes[5] if len(self.codes) > 5 else "")
            say("   in the user's ssh session, chorus-enroll --list shows:\n"
                + "\n".join("     " + l for l in r.stdout.splitlines() if l and l != "LOGGED-IN"))
            self.check("chorus-enroll in the demo's ssh session reads the demo's store",
                       r.logged_in and "Authenticator app" in r.stdout, r.describe())
        if self.interactive:
            say("\nScan the QR code above with your phone now (or type the key), then, if you like, log in\n"
                "yourself from another terminal:  ssh -p %d %s@127.0.0.1   (password: %s)\n"
                "Press Enter to go on with the demo." % (self.env.port, USER, PASSWORD))
            try:
                input()
            except EOFError:
                pass
            # A login of the person's own has spent the code of this time
            # step (or an earlier one): the demo's next login waits for a
            # step after the pause.
            self.resumed_at = time.time()
        return ok

    def next_code(self):
        """The app's code for the first time step not yet spent (waits for it)."""
        key = self.env.registered_key()
        step = max(int(time.time()) // 30, key["time"] // 30 + 1, int(self.resumed_at) // 30 + 1)
        while int(time.time()) // 30 < step - 1:  # inside the window (±1 step) is enough
            time.sleep(1)
        return subprocess.run(["oathtool", "--totp", "-b", key["key"], "-N", "@%d" % (step * 30)],
                              check=True, capture_output=True, text=True).stdout.strip()

    def login_and_replay(self):
        heading(2, "Password + code logs in")
        code = self.next_code()
        r = self.env.ssh(USER, password=PASSWORD, code=code)
        self.check("login with password and a fresh code", r.logged_in, r.describe())
        heading(3, "The same code again is refused")
        r = self.env.ssh(USER, password=PASSWORD, code=code)
        self.check("replayed code refused (\"Code expired or already used\")",
                   not r.logged_in and "already used" in r.text(), r.describe())

    def weak_password(self):
        heading(4, "An expired password must be changed under the rules; a weak one is refused")
        subprocess.run(["chage", "-d", "0", USER], check=True)
        r = self.env.ssh(USER, password=PASSWORD, code=self.codes[0], new_password="weak1")
        rules = [l.strip() for l in r.stderr.splitlines() if l.strip().startswith("- ")]
        say("   the user saw:\n" + "\n".join("     " + l for l in r.stderr.splitlines() if l.strip()))
        self.check("weak password refused with the checklist", not r.logged_in and len(rules) >= 1, r.describe())

    def reset(self):
        heading(5, "Self-service reset with an emailed code (chorus-reset)")
        if os.path.exists(RESET_SERVICE):
            return self.check("reset (skipped: %s exists and is not the demo's)" % RESET_SERVICE, False)
        module = self.env.module
        with open(RESET_SERVICE, "w") as f:
            f.write(MARK
                    + "password requisite %s config=%s mode=reset\n" % (module, self.env.config)
                    + "password requisite pam_unix.so use_authtok\n"
                    + "password optional  %s config=%s mode=reset\n" % (module, self.env.config)
                    + "auth     required  pam_deny.so\naccount  required  pam_deny.so\nsession  required  pam_deny.so\n")
        self.reset_pam = True
        self.record()
        tool = types.SimpleNamespace(o=types.SimpleNamespace(reset=os.path.join(self.prefix, "sbin", "chorus-reset")),
                                     cfg=self.env.config)
        s = Session(tool)
        s.expect(r"Username or email address: ")
        s.send(EMAIL)
        s.expect(r"Verification code \(or 'resend'\): ")
        code = self.wait_mail_code()
        say("   the email caught by the local SMTP server holds the code %s" % code)
        s.send(code)
        s.expect(r"Choose a number: ")
        s.send("1")
        s.expect(r"Code from your authenticator app")
        s.send(self.codes[1])  # a recovery code: no need to wait for the next time step
        s.expect(r"New password: ")
        s.send(NEW_PASSWORD)
        s.expect(r"Confirm new password: ")
        s.send(NEW_PASSWORD)
        s.expect(r"Your password has been reset")
        rc = s.wait()
        say("\n".join("     " + l for l in s.text().splitlines()))
        self.check("reset completed", rc == 0, s.text())
        r = self.env.ssh(USER, password=NEW_PASSWORD, code=self.codes[2])
        self.check("login with the new password", r.logged_in, r.describe())

    def reset_codes(self):
        codes = []
        for name in sorted(os.listdir(self.mail_dir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.mail_dir, name), "rb") as f:
                    codes += [c.decode() for c in re.findall(rb"reset code is (\d{6})", f.read())]
        return codes

    def wait_mail_code(self, timeout=20, count=1):
        end = time.time() + timeout
        while time.time() < end:
            codes = self.reset_codes()
            if len(codes) >= count:
                return codes[count - 1]
            time.sleep(0.2)
        raise RuntimeError("no reset email arrived")

    def start_web(self):
        """chorus-web on a loopback port with the demo's configuration."""
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        with open(self.env.config, "a") as f:
            f.write("web: { port: %d, base_url: \"http://localhost:%d\", user: nobody }\n" % (port, port))
        self.web_log = open(os.path.join(self.env.dir, "chorus-web.log"), "w")
        self.web = subprocess.Popen([os.path.join(self.prefix, "sbin", "chorus-web"), "--config", self.env.config,
                                     "--web-root", os.path.join(self.prefix, "share", "chorus", "web"),
                                     "--broker", os.path.join(self.prefix, "libexec", "chorus", "chorus-web-broker")],
                                    stdout=self.web_log, stderr=self.web_log)
        self.record()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("chorus-web did not start")

    def web_reset(self):
        heading(6, "The same reset in the browser pages (chorus-web)")
        port = self._web_port = self.start_web()
        say("   chorus-web serves http://localhost:%d/ (Forgot password: /reset, Security info: /info)" % port)
        if self.interactive:
            say("\nOpen http://localhost:%d/reset in a browser on this machine (ssh -L %d:127.0.0.1:%d HOST from\n"
                "elsewhere) and reset the password of '%s' yourself: the code is in the mail the demo prints,\n"
                "use a recovery code as the second method. Press Enter when done (or to let the demo do it)."
                % (port, port, port, USER))
            try:
                input()
            except EOFError:
                pass
        cookie, csrf = "", ""

        def call(verb, path, **fields):
            nonlocal cookie, csrf
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Cookie": "__Host-chorus_session=" + cookie} if cookie else {}
            body = None
            if verb == "POST":
                fields["csrf"] = csrf
                body = urllib.parse.urlencode(fields)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(verb, path, body=body, headers=headers)
            r = conn.getresponse()
            for k, v in r.getheaders():
                if k.lower() == "set-cookie" and v.startswith("__Host-chorus_session="):
                    cookie = v.split(";")[0].split("=", 1)[1]
            j = json.loads(r.read())
            csrf = j.get("csrf", csrf)
            return j

        mails = len(self.reset_codes())
        time.sleep(4)  # reset.resend_cooldown since the terminal's reset
        call("GET", "/api/session")
        ok = call("POST", "/api/reset/start", identifier=USER)["ok"]
        code = self.wait_mail_code(count=mails + 1) if ok else ""
        say("   step 1: user name; step 2: the emailed code %s" % code)
        j = call("POST", "/api/reset/code", code=code)
        say("   step 3: second methods offered: %s; the user picks the app and types a recovery code"
            % ", ".join(j.get("methods", [])))
        j = call("POST", "/api/reset/second", method="app")
        while j.get("state") == "ask":
            j = call("POST", "/api/answer", text=self.codes[3])
        rules = call("POST", "/api/reset/rules", password="weak")
        say("   step 4: the checklist for 'weak': " + ", ".join(
            ("[x] " if r["met"] else "[ ] ") + r["text"] for r in rules.get("rules", [])))
        done = call("POST", "/api/reset/set", password=WEB_PASSWORD, confirm=WEB_PASSWORD)
        self.check("reset through the web pages", ok and j.get("ok") and done.get("ok"), repr(done))
        r = self.env.ssh(USER, password=WEB_PASSWORD, code=self.codes[4])
        self.check("login with the password set on the web page", r.logged_in, r.describe())

    def push_login(self):
        heading(7, "Approve on the phone: push with number matching (the phone is an emulator)")
        from push_device import Device, Transport  # the tests' emulator of the privacyIDEA Authenticator app
        from push_env import Driven
        import threading
        key = os.path.join(self.env.dir, "push.key")
        ctl = os.path.join(self.prefix, "sbin", "chorusctl")
        subprocess.run([ctl, "push-key", "generate", key], check=True, capture_output=True)
        with open(self.env.config, "a") as f:
            f.write("push: { enabled: true, url: \"https://account.demo.test/push\", key_file: %s, timeout: 30 }\n"
                    % key)
        say("   push.url is the address a phone would reach through the TLS proxy; here the emulator sends\n"
            "   its requests to chorus-web on port %d directly." % self._web_port)
        dev = Device(Transport(self._web_port))
        p = Driven([os.path.join(self.prefix, "bin", "chorus-enroll"), "--config", self.env.config, "--user", USER,
                    "--push", "--qr", "none"], None)
        uri = p.wait_for(r"(otpauth://pipush/\S+)")
        say("   chorus-enroll --push shows the QR code of " + uri.split("&enrollment_credential")[0] + "&...")
        status, _ = dev.register(uri)
        p.wait_for(r"Press Enter once the app shows the new token")
        p.send("\n")
        number = p.wait_for(r"Approve the test request on your phone: choose (\d\d)")
        test = self.phone_requests(dev)
        dev.accept(test[0], number)
        p.send("\n")
        self.check("phone registered after approving its test request (%s)" % number,
                   status == 200 and p.finish(60) == 0, p.text())
        result = {}
        t = threading.Thread(target=lambda: result.update(r=self.env.ssh(USER, password=WEB_PASSWORD, push="")))
        t.start()
        shown = None
        transcript = os.path.join(self.env.dir, "transcript.jsonl")
        for _ in range(300):
            if os.path.exists(transcript):
                for line in open(transcript):
                    m = re.search(r"choose (\d\d)", json.loads(line)["prompt"])
                    shown = m.group(1) if m else shown
            if shown:
                break
            time.sleep(0.1)
        req = self.phone_requests(dev)
        say("   ssh shows: Approve the sign-in on your phone: choose %s" % shown)
        say("   the phone shows: %s  [%s]" % (req[0]["question"] if req else "(nothing)",
                                                "] [".join(req[0]["require_presence"].split(",")) if req else ""))
        ok = bool(req) and shown is not None and dev.accept(req[0], shown)[1]["result"]["value"] is True
        t.join(60)
        r = result.get("r")
        self.check("ssh login approved on the phone by tapping %s" % shown, ok and r is not None and r.logged_in,
                   r.describe() if r else "no ssh result")

    def admin_view(self):
        heading(8, "What the admin sees: the report and the metrics")
        ctl = [os.path.join(self.prefix, "sbin", "chorusctl"), "--config", self.env.config]
        report = subprocess.run(ctl + ["report"], capture_output=True, text=True)
        lines = [l for l in report.stdout.splitlines() if l.strip()]
        for line in lines[:1] + [l for l in lines if l.startswith(USER + " ")] + lines[-1:]:
            say("   " + line)
        self.check("the report shows the demo user registered", report.returncode == 0 and
                   "1 of 1 users registered" in report.stdout, report.stdout + report.stderr)
        metrics = subprocess.run(ctl + ["metrics"], capture_output=True, text=True)
        counted = {}
        for line in metrics.stdout.splitlines():
            if line.startswith("chorus_") and not line.startswith("chorus_store_") and not line.endswith(" 0"):
                name, value = line.rsplit(" ", 1)
                counted[name] = int(value)
                say("   " + line)
        say("   (each is also a journal record: journalctl -t chorus, or MESSAGE_ID=... as docs/OPERATIONS.md lists)")
        want = ['chorus_logins_total{result="success",method="app"}',
                'chorus_logins_total{result="success",method="push"}',
                'chorus_logins_total{result="failure",method="none"}',
                'chorus_registrations_total{result="success",method="app"}',
                'chorus_registrations_total{result="success",method="push"}',
                'chorus_resets_total{result="success"}',
                'chorus_deliveries_total{result="success",channel="email"}']
        missing = [w for w in want if counted.get(w, 0) < 1]
        self.check("the metrics count what the demo did (logins, registrations, resets, deliveries)",
                   metrics.returncode == 0 and not missing, "missing: %r\n%s" % (missing, metrics.stderr))

    @staticmethod
    def phone_requests(dev):
        for _ in range(100):
            status, _, reqs = dev.poll()
            if reqs:
                return reqs
            time.sleep(0.2)
        return []

    def close(self):
        if self.web:
            self.web.terminate()
            self.web.wait()
        if self.env:
            self.env.close()
        if self.reset_pam and os.path.exists(RESET_SERVICE):
            os.unlink(RESET_SERVICE)
        for server in (self.smtp, self.gateway):
            if server:
                server.terminate()
                server.wait()
        subprocess.run(["rm", "-rf", self.mail_dir, self.gateway_dir])
        subprocess.run(["rm", "-rf", COUNTERS_DIR])
        if os.path.exists(RECORD):
            os.unlink(RECORD)


def cleanup():
    """Removes what a crashed demo left, from its record."""
    if not os.path.exists(RECORD):
        say("demo: nothing to clean up")
        return
    with open(RECORD) as f:
        rec = json.load(f)
    for pid in [rec.get("sshd"), rec.get("smtp"), rec.get("gateway"), rec.get("web")]:
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for path in rec.get("pam_files", []):
        if os.path.exists(path) and open(path).read().startswith(("# Written by the Chorus demo", "# Written by tests/e2e")):
            os.unlink(path)
    subprocess.run(["userdel", "-r", rec["user"]], capture_output=True)
    for d in rec.get("dirs", []) + [COUNTERS_DIR]:
        subprocess.run(["rm", "-rf", d])
    if rec.get("etc_chorus_made"):
        try:
            os.rmdir("/etc/chorus")  # the empty mount point the demo made
        except OSError:
            pass
    os.unlink(RECORD)
    say("demo: cleaned up")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", default="/usr/local")
    ap.add_argument("--cleanup", action="store_true")
    ap.add_argument("--interactive", action="store_true")
    ap.add_argument("--no-interactive", dest="interactive", action="store_false")
    args = ap.parse_args()
    if args.cleanup:
        cleanup()
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    demo = Demo(args.prefix, args.interactive)
    try:
        demo.start()
        if demo.register():
            demo.login_and_replay()
            demo.weak_password()
            demo.reset()
            demo.web_reset()
            demo.push_login()
            demo.admin_view()
    except Exception as e:  # a step that crashed is a failed step
        demo.check("demo step crashed: %s" % e, False)
    finally:
        demo.close()
    failed = [n for n, ok in demo.results if not ok]
    say("\n%d passed, %d failed" % (len(demo.results) - len(failed), len(failed)))
    return 1 if failed or not demo.results else 0


if __name__ == "__main__":
    sys.exit(main())
