# SPDX-License-Identifier: BSD-2-Clause
"""Cases of test_deliver.py (which runs them): proven contacts, the
alternate phone and the default method, through the library with the real
chorus-deliver and the test's HTTP gateway and SMTP server.

They need a mount namespace: the library reads /etc/chorus/chorus.yaml,
here a private overlay. CHORUSCTL and CONTACTS_DRIVE name the programs."""
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess
import time

import deliver_env
from deliver_env import PHONE, Skip, expect

USER = "daemon"  # an account every system has; its state lives in the test's store
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PHONE2 = "+6421555999"


class Flow:
    """The test's /etc/chorus/chorus.yaml, store and programs."""

    def __init__(self, env):
        self.env = env
        self.ctl_path, self.drive_path = os.environ.get("CHORUSCTL"), os.environ.get("CONTACTS_DRIVE")
        if not (self.ctl_path and self.drive_path and env.syslog):
            raise Skip("needs chorusctl, contacts_drive and a mount namespace")
        deliver_env.private_etc_chorus(env.dir)
        self.state = os.path.join(env.dir, "state")
        os.mkdir(self.state, 0o700)
        self.requests_file = os.path.join(env.gw_dir, "requests.jsonl")

    def configure(self, mode="ok", sms=True, voice=True, smtp=False, timeout=4):
        """A fresh gateway in `mode` (requests so far are forgotten) and the
        configuration pointing at it (delivery.timeout: `timeout`)."""
        if os.path.exists(self.requests_file):
            os.unlink(self.requests_file)
        port = self.env.gateway(mode)
        cfg = self.env.config(timeout=timeout, sms_url="http://127.0.0.1:%d/sms" % port if sms else "",
                              voice_url="http://127.0.0.1:%d/voice" % port if voice else "",
                              smtp_url="smtp://127.0.0.1:%d" % self.env.smtp() if smtp else "",
                              name="chorus.yaml")
        with open(cfg, "a", encoding="utf-8") as f:
            f.write("  helper: %s\nstore:\n  path: %s\n" % (self.env.helper, self.state))
        with open(cfg, encoding="utf-8") as src, open("/etc/chorus/chorus.yaml", "w", encoding="utf-8") as dst:
            dst.write(src.read())
        os.chmod("/etc/chorus/chorus.yaml", 0o600)

    def ctl(self, *args):
        p = subprocess.run([self.ctl_path] + list(args), capture_output=True, env={}, stdin=subprocess.DEVNULL,
                           text=True, timeout=30)
        assert p.returncode == 0, "chorusctl %s: %s" % (" ".join(args), p.stderr)
        return p.stdout

    def status(self):
        return json.loads(self.ctl("status", "--json", USER))

    def drive(self, *args):
        """(exit status, what the driver printed)."""
        p = subprocess.run([self.drive_path, self.requests_file] + list(args), capture_output=True, env={},
                           timeout=60, text=True)
        return p.returncode, p.stderr

    def posts(self, channel):
        """The bodies of the requests that sent something on channel (sms, voice)."""
        return [json.loads(r["body"]) for r in self.env.requests()
                if r["method"] == "POST" and r["path"].startswith("/" + channel)]

    def enroll(self):
        self.ctl("enroll", USER, "--secret", SECRET)


def app_code():
    key = base64.b32decode(SECRET)
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def check_phone_proven_by_sms(env):
    f = Flow(env)
    f.configure()
    f.enroll()
    rc, out = f.drive("prove", USER, "phone", PHONE, "sms", "@wrong", "@wrong", "@wrong")
    expect(rc, 1, "three wrong codes: " + out)
    assert f.status()["phone"] == "", "a phone that failed its proof was stored"
    rc, out = f.drive("prove", USER, "phone", PHONE, "sms", "@wrong", "@code")
    expect(rc, 0, "the code typed back: " + out)
    st = f.status()
    assert st["phone"] == PHONE and st["phone_proven"] is True, st
    assert [b["to"] for b in f.posts("sms")] == [PHONE, PHONE], f.posts("sms")


def check_phone_proven_by_call(env):
    f = Flow(env)
    f.configure("decline")  # answered, but with a key other than #
    f.enroll()
    rc, out = f.drive("prove", USER, "phone", PHONE, "call")
    expect(rc, 1, "a call not answered with #: " + out)
    assert f.status()["phone"] == "", "a call answered without # proved the phone"
    f.configure("ok")
    rc, out = f.drive("prove", USER, "phone", PHONE, "-", "2")  # "2) Call me"
    expect(rc, 0, "a call answered with #: " + out)
    assert "1) Text me a code  2) Call me" in out, out
    assert f.status()["phone_proven"] is True
    calls = f.posts("voice")
    assert len(calls) == 1 and calls[0]["to"] == PHONE and "pound key" in calls[0]["message"], calls
    assert f.posts("sms") == [], "a call proof sent an SMS"


def check_unproven_phone_gets_nothing(env):
    f = Flow(env)
    f.configure()
    f.enroll()
    f.ctl("set-phone", USER, PHONE)  # not on a terminal: stored, not proven
    assert f.status()["phone_proven"] is False
    for word in ("sms", "call"):
        rc, out = f.drive("login", USER, word, "123456")
        expect(rc, 1, "login by %s to a phone not proven: %s" % (word, out))
    rc, out = f.drive("login", USER, "sms2", "123456")
    expect(rc, 1, "login by sms2 without an alternate phone")
    assert f.env.requests() == [], "something went to a phone that was not proven: %r" % f.env.requests()
    # The default cannot point at it either, and status says why.
    for method in ("sms", "call"):
        rc, out = f.drive("default", USER, method)
        expect(rc, 1, "default %s with a phone not proven: %s" % (method, out))
    p = subprocess.run([f.ctl_path, "status", USER], capture_output=True, text=True, env={})
    assert "(not proven)" in p.stdout and "default method:  app" in p.stdout, p.stdout


def check_alternate_phone(env):
    f = Flow(env)
    f.configure()
    f.enroll()
    f.ctl("set-phone", "--proven", USER, PHONE)
    rc, out = f.drive("prove", USER, "phone2", PHONE2, "sms", "@code")
    expect(rc, 0, "alternate phone proven: " + out)
    st = f.status()
    assert st["phone2"] == PHONE2 and st["phone2_proven"] is True and st["phone_proven"] is True, st
    rc, out = f.drive("login", USER, "sms2", "@code")
    expect(rc, 0, "login by a code sent to the alternate phone: " + out)
    assert [b["to"] for b in f.posts("sms")] == [PHONE2, PHONE2], f.posts("sms")
    rc, out = f.drive("login", USER, "sms", "@code")
    expect(rc, 0, "login by a code sent to the phone: " + out)
    assert f.posts("sms")[-1]["to"] == PHONE
    f.configure("ok")
    rc, out = f.drive("login", USER, "call2")
    expect(rc, 0, "login by a call to the alternate phone: " + out)
    assert [b["to"] for b in f.posts("voice")] == [PHONE2], f.posts("voice")


def check_default_app_sends_nothing(env):
    f = Flow(env)
    f.configure()
    f.enroll()
    f.ctl("set-phone", "--proven", USER, PHONE)
    rc, out = f.drive("login", USER, app_code())
    expect(rc, 0, "default app: " + out)
    assert "prompt: Verification code: " in out, out
    assert f.env.requests() == [], "a login with the app as default sent something"


def user_with_default(env, method):
    """A registered user with a proven phone and `method` as default."""
    f = Flow(env)
    f.configure()
    f.enroll()
    f.ctl("set-phone", "--proven", USER, PHONE)
    set_default(f, method)
    return f


def check_default_sms_leads_the_login(env):
    f = user_with_default(env, "sms")
    rc, out = f.drive("login", USER, "@code")
    expect(rc, 0, "the SMS code sent before the prompt: " + out)
    assert "prompt: Code from the text message or your app: " in out, out
    assert [b["to"] for b in f.posts("sms")] == [PHONE], f.posts("sms")
    rc, out = f.drive("login", USER, "@wrong")
    expect(rc, 1, "a wrong SMS code: " + out)
    assert f.status()["failures"] == 1, "a wrong code at the SMS prompt was not counted"
    rc, out = f.drive("login", USER, app_code())
    expect(rc, 0, "a code from the app at the same prompt: " + out)
    rc, out = f.drive("login", USER, "call")
    expect(rc, 0, "the call word at the same prompt switches to a call: " + out)
    assert [b["to"] for b in f.posts("voice")] == [PHONE], f.posts("voice")


def check_default_call_leads_the_login(env):
    f = user_with_default(env, "call")  # the gateway answers calls with # ("ok")
    rc, out = f.drive("login", USER, "-")
    expect(rc, 0, "Enter after the call was answered with #: " + out)
    assert "We are calling your phone now" in out, out
    assert len(f.posts("voice")) == 1
    f.configure("decline")
    rc, out = f.drive("login", USER, "-")
    expect(rc, 1, "a call answered without #: " + out)
    # The phone rings and nobody answers; the delivery would give up only
    # after 30 s, so a login that waited for the call takes that long.
    f.configure("pending", timeout=30)
    start = time.monotonic()
    rc, out = f.drive("login", USER, app_code())
    expect(rc, 0, "a code from the app while the call rings: " + out)
    assert time.monotonic() - start < 10, "the login waited for the call it no longer needed"


def set_default(f, method):
    """Sets the default method through the C API, under the library's rule
    (a proven phone); chorus-enroll --default does the same after asking for
    the password and a code."""
    rc, out = f.drive("default", USER, method)
    expect(rc, 0, "default %s: %s" % (method, out))


def check_registration_proves_contacts(env):
    f = Flow(env)
    f.configure(smtp=True)
    # The app's code, a phone proven by SMS, an email proven by a code.
    rc, out = f.drive("register", USER, "@app", PHONE, "1", "@code", "alice@example.org", "@mail")
    expect(rc, 0, "registration: " + out)
    st = f.status()
    assert st["phone_proven"] is True and st["email_proven"] is True, st


def check_chorusctl_proves_on_a_terminal(env):
    """chorusctl set-phone on a terminal: the admin (with the user at hand)
    reads the code back; a wrong code three times changes nothing."""
    f = Flow(env)
    f.configure()
    f.enroll()
    # The private /dev of these tests has no terminals: a devpts instance of its own.
    os.makedirs("/dev/pts", exist_ok=True)
    subprocess.run(["mount", "-t", "devpts", "-o", "newinstance,ptmxmode=0666", "devpts", "/dev/pts"], check=True)
    if not os.path.exists("/dev/ptmx"):
        os.symlink("pts/ptmx", "/dev/ptmx")

    def set_phone(answer):
        master, slave = os.openpty()
        p = subprocess.Popen([f.ctl_path, "set-phone", "--prove-by", "sms", USER, PHONE], stdin=slave,
                             stdout=slave, stderr=slave, env={}, close_fds=True)
        os.close(slave)
        seen = b""
        try:
            for _ in range(3):
                while b"Enter the code we sent" not in seen.split(b"not the code")[-1]:
                    chunk = os.read(master, 4096)
                    if not chunk:
                        raise AssertionError("chorusctl ended: %r" % seen)
                    seen += chunk
                code = json.loads(f.env.requests()[-1]["body"])["message"].split("code is ")[1][:6]
                os.write(master, (answer(code) + "\n").encode())
                if answer(code) == code:
                    break
                seen += b"not the code"
            rc = p.wait(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            try:
                while True:
                    chunk = os.read(master, 4096)
                    if not chunk:
                        break
                    seen += chunk
            except OSError:
                pass
            os.close(master)
        return rc, seen.decode("utf-8", "replace")

    rc, out = set_phone(lambda code: "000000" if code != "000000" else "111111")
    expect(rc, 1, "three wrong codes: " + out)
    assert f.status()["phone"] == "", "a phone that failed its proof was stored"
    rc, out = set_phone(lambda code: code)
    expect(rc, 0, "the code read back: " + out)
    assert "(proven)" in out, out
    assert f.status()["phone_proven"] is True


def check_registration_without_delivery(env):
    f = Flow(env)
    f.configure(sms=False, voice=False)
    rc, out = f.drive("register", USER, "@app", PHONE, "-")
    expect(rc, 0, "registration: " + out)
    assert "Codes cannot be sent from this system yet" in out, out
    st = f.status()
    assert st["phone"] == PHONE and st["phone_proven"] is False, st
    assert f.env.requests() == []
