# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures of the push tests: the chorus-web test environment (tests/web)
with push enabled and a signing key made by chorusctl, a PAM service whose
auth stage is the real pam_chorus.so, and programs driven through pipes
(pamtester for logins, chorus-enroll for registration) whose prompts are
read as they come."""
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "web"))
sys.path.insert(0, os.path.join(HERE, "..", "events"))
from web_env import Env, Fail, check, run  # noqa: E402,F401
from push_device import Device, Transport  # noqa: E402,F401
from capture import Capture, CaptureUnavailable, tally  # noqa: E402,F401

PUSH_URL = "https://push.example.test/chorus/push"


class PushEnv(Env):
    def __init__(self, opts, push_extra="", lockout="", store=""):
        # The key file's directory is the environment's own (root, 0700).
        self.key_path = None
        extra = "push:\n  enabled: true\n  url: \"%s\"\n  timeout: 10\n  key_file: @KEY@\n%s" % (PUSH_URL, push_extra)
        if lockout:
            extra += "lockout: { %s }\n" % lockout
        super().__init__(opts, extra_config=extra)
        self.key_path = os.path.join(self.dir, "push.key")
        with open(self.cfg) as f:
            text = f.read().replace("@KEY@", self.key_path)
        if store:
            text = re.sub(r"^store: .*$", store, text, flags=re.M)
        with open(self.cfg, "w") as f:
            f.write(text)
        self.ctl("push-key", "generate", self.key_path)
        self.device_transport = Transport(self.port)
        # The audit events the cases cause (None when a real journald or
        # syslog daemon holds the sockets: the event checks are then skipped).
        try:
            self.capture = Capture().open()
        except CaptureUnavailable as e:
            print("note: events not checked: %s" % e)
            self.capture = None

    def cleanup(self):
        if self.capture is not None:
            self.capture.close()
        super().cleanup()

    def expect_events(self, since, user, want):
        """The audit events of user since `since` are exactly want ({(event, result, method): n})."""
        if self.capture is None:
            return
        got = tally(self.capture.wait(sum(want.values()), since, CHORUS_USER=user))
        check(got == want, "events of %s:\n got      %r\n expected %r" % (user, sorted(got.items()),
                                                                          sorted(want.items())))

    def install_pam(self):
        super().install_pam()
        self.push_service = "chorus-push-test-%d" % os.getpid()
        self._write_pam("/etc/pam.d/" + self.push_service,
                        "auth required pam_permit.so\nauth required %s config=%s\n"
                        "account required %s config=%s qr=ascii\n" % (self.o.module, self.cfg, self.o.module, self.cfg))

    def login(self, user, rhost="192.0.2.1", stdin="\n"):
        """A login through the real module (pamtester), its input given at once."""
        # stdbuf: pamtester would hold the message with the number until it exits.
        return Driven(["stdbuf", "-o0", "pamtester", "-I", "rhost=" + rhost, self.push_service, user, "authenticate"], stdin)

    def account(self, user, stdin):
        """The account stage of a login (where registration happens), its input given at once."""
        return Driven(["stdbuf", "-o0", "pamtester", "-I", "rhost=192.0.2.50", self.push_service, user, "acct_mgmt"],
                      stdin)

    def enroll_push(self, user):
        return Driven([self.o.enroll, "--config", self.cfg, "--user", user, "--push", "--qr", "none"], None)

    def status(self, user):
        import json
        return json.loads(self.ctl("status", user, "--json").stdout)

    def device(self, bits=2048):
        return Device(self.device_transport, bits)

    def register(self, user, dev):
        """chorus-enroll --push with dev scanning the code and approving the test request."""
        p = self.enroll_push(user)
        uri = p.wait_for(r"(otpauth://pipush/\S+)")
        p.wait_for(r"Press Enter once the app shows the new token")
        status, j = dev.register(uri)
        check(status == 200 and j["result"]["value"] is True, "registration: %r" % (j,))
        p.send("\n")
        answer = p.wait_for(r"Approve the test request on your phone: choose (\d\d)")
        ch = wait_requests(dev, 1)[0]
        check(answer in ch["require_presence"].split(","), "the test request offers the number shown")
        status, j = dev.accept(ch, answer)
        check(j["result"].get("value") is True, "test request accepted: %d %r" % (status, j))
        p.send("\n")
        check(p.finish(30) == 0, "chorus-enroll --push failed: %s" % p.text())
        return dev


def wait_requests(dev, count, timeout=15, **kw):
    end = time.time() + timeout
    while time.time() < end:
        status, j, reqs = dev.poll(**kw)
        check(status == 200, "poll refused: %d %r" % (status, j))
        if len(reqs) >= count:
            return reqs
        time.sleep(0.2)
    raise Fail("expected %d push requests on the phone" % count)


class Driven:
    """A program whose output is collected by a thread, so a test can wait
    for a prompt that has no newline yet."""

    def __init__(self, argv, stdin):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        if stdin is not None:
            self.send(stdin)

    def _read(self):
        while True:
            chunk = self.p.stdout.read1(4096)
            if not chunk:
                return
            with self.lock:
                self.buf += chunk

    def text(self):
        with self.lock:
            return self.buf.decode("utf-8", "replace")

    def send(self, s):
        try:
            self.p.stdin.write(s.encode())
            self.p.stdin.flush()
        except BrokenPipeError:
            pass

    def wait_for(self, pattern, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(pattern, self.text())
            if m:
                return m.group(1) if m.groups() else m.group(0)
            if self.p.poll() is not None and not re.search(pattern, self.text()):
                time.sleep(0.1)
                if not re.search(pattern, self.text()):
                    break
            time.sleep(0.05)
        raise Fail("no %r in the output of %s: %s" % (pattern, self.p.args[0], self.text()))

    def finish(self, timeout=30):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return -9
