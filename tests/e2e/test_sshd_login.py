#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""End-to-end: pam_chorus under a real OpenSSH sshd, driven by the real client.

Usage: test_sshd_login.py PATH/TO/pam_chorus.so PATH/TO/chorus-deliver PATH/TO/chorusctl
(CHORUS_E2E_VERBOSE=1: print every prompt)
Exit 0 when every case passes, 1 when one fails, 77 (skip) when not root or
sshd is not installed. Cases run in order and share one registered user,
because each builds on the state the one before left (a registered key, a
spent time step). Each case prints PASS/FAIL with what it saw.

  c1 registration at first login over ssh (key shown, code confirms, shell)
  c2 password + correct code logs in     c3 wrong code refused
  c4 replayed code refused               c5 empty code refused
  c6 wrong password: no registration prompt, no state (needs the first factor)
  c7 expired password changed at login under the rules (too short refused,
     then a good one; the new password works later, the old one doesn't)
  c8 the recorded history refuses the last password at the next change
  c9 registration: five wrong codes refuse the login and save nothing; a
     wrong code then the right one registers
  c10 registration proves the phone by a code sent by SMS (the test's HTTP
      gateway and the real chorus-deliver), and stores it as proven
  c11 with sms as the default, the login sends the code before its prompt
      and the code read from the gateway logs in
  c12 a second authenticator app (chorusctl enroll --add) logs in with its
      own code, and that code is then spent
  c13 "sms2" at the code prompt sends the code to the proven alternate phone
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sshd_env import SSHD, SshdEnv  # noqa: E402

PERIOD = 30  # otp.period (default)
WINDOW = 1   # otp.window (default)
PASSWORD = "Orig-Pass-2024x"
NEW_PASSWORD = "Nw-Secret-77qz"
TOO_SHORT = "Ab1!"
CHANGE_PROMPTS = ["password", "code", "current_password", "new_password", "retype_new_password"]
RECOVERY_RE = re.compile(r"^ {4}([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})$", re.M)


def totp(key, step):
    out = subprocess.run(["oathtool", "--totp", "-b", key, "-N", "@%d" % (step * PERIOD)],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def next_step(last):
    """The first step after `last` that the server accepts, waiting for it if needed."""
    target = max(last + 1, int(time.time()) // PERIOD)
    wait = (target - WINDOW) * PERIOD - time.time() + 0.5
    if wait > 0:
        print("  (waiting %.0f s for time step %d)" % (wait, target), flush=True)
        time.sleep(wait)
    return target


def wrong_code(key):
    now = int(time.time()) // PERIOD
    near = {totp(key, s) for s in range(now - 3, now + 4)}
    return next(c for c in ("123456", "654321", "111111", "000000") if c not in near)


class Check(Exception):
    pass


def expect(cond, what, result=None):
    if not cond:
        raise Check(what + ("\n" + result.describe() if result is not None else ""))


def shadow_entry(user):
    return subprocess.run(["getent", "shadow", user], check=True, capture_output=True, text=True).stdout.strip()


class Cases:
    def __init__(self, env):
        self.env = env
        self.user = env.add_user("", PASSWORD)
        self.other = env.add_user("-b", PASSWORD)
        self.third = env.add_user("-c", PASSWORD)
        self.fourth = env.add_user("-d", PASSWORD)
        self.key = None
        self.last_step = None
        self.spent_code = None
        self.recovery = []
        self.notes = []

    def c1_registration_at_first_login(self):
        r = self.env.ssh(self.user, password=PASSWORD)
        expect(r.kinds() == ["password", "registration_code", "phone", "email"],
               "expected password, app code, phone, email prompts", r)
        expect(r.logged_in, "registration login did not reach the shell", r)
        reg = self.env.registered_key()
        self.key, self.last_step = reg["key"], reg["time"] // PERIOD
        shown = r.prompts[1]["prompt"]
        expect("Or enter this key by hand: " in shown and "Key URI: otpauth://totp/" in shown,
               "key and URI not shown with the code prompt", r)
        expect(reg["key"] in shown.replace(" ", ""), "key read back differs from the key shown", r)
        expect("#" * 20 in shown, "no QR code (qr=ascii) before the code prompt", r)
        expect("Two-step verification is set up." in r.stderr, "no closing message", r)
        self.recovery = RECOVERY_RE.findall(r.stderr)
        expect(len(self.recovery) == 10, "recovery codes shown: %d" % len(self.recovery), r)
        files = self.env.state_files(self.user)
        expect(self.user + ".rec" in files and self.user + ".live" in files, "state files: %s" % files)
        self.notes.append("info text before a prompt reached askpass in the prompt (argv[1]); text after the "
                          "last prompt (recovery codes) and error text reached ssh's stderr"
                          + (" (the key too)" if "key by hand" in r.stderr else ""))

    def c2_password_and_code_log_in(self):
        step = next_step(self.last_step)
        code = totp(self.key, step)
        r = self.env.ssh(self.user, password=PASSWORD, code=code)
        expect(r.kinds() == ["password", "code"], "expected password then code prompts", r)
        expect(r.logged_in, "password + correct code did not log in", r)
        self.last_step, self.spent_code = step, code

    def c3_wrong_code_refused(self):
        r = self.env.ssh(self.user, password=PASSWORD, code=wrong_code(self.key))
        expect(r.kinds() == ["password", "code"], "expected password then code prompts", r)
        expect(not r.logged_in and r.rc == 255, "a wrong code logged in", r)
        expect("Wrong code." in r.stderr, "no 'Wrong code.' message on the client", r)

    def c4_replayed_code_refused(self):
        expect(self.spent_code is not None, "no spent code (case 2 failed)")
        r = self.env.ssh(self.user, password=PASSWORD, code=self.spent_code)
        expect(r.kinds() == ["password", "code"], "expected password then code prompts", r)
        expect(not r.logged_in and r.rc == 255, "a replayed code logged in", r)
        expect("already used" in r.stderr, "no 'already used' message on the client", r)

    def c5_empty_code_refused(self):
        r = self.env.ssh(self.user, password=PASSWORD, code="")
        expect(r.kinds() == ["password", "code"], "expected password then code prompts", r)
        expect(not r.logged_in and r.rc == 255, "an empty code logged in", r)

    def c6_wrong_password_never_reaches_registration(self):
        r = self.env.ssh(self.other, password="Not-The-Password-1")
        expect(not r.logged_in and r.rc == 255, "a wrong password logged in", r)
        expect(r.kinds() == ["password"], "prompts after a wrong password: %s" % r.kinds(), r)
        expect("key by hand" not in r.text() and "otpauth://" not in r.text(),
               "registration text shown after a wrong password", r)
        expect(self.env.state_files(self.other) == [],
               "state created for %s: %s" % (self.other, self.env.state_files(self.other)))

    def c7_expired_password_changed_under_rules(self):
        subprocess.run(["chage", "-d", "0", self.user], check=True)
        before = shadow_entry(self.user)

        # A recovery code as the second factor here: it spends no time step.
        r = self.env.ssh(self.user, password=PASSWORD, code=self.recovery.pop(), new_password=TOO_SHORT)
        expect(r.kinds() == CHANGE_PROMPTS, "expected the expired-password change prompts", r)
        expect("Recovery code accepted." in r.text(), "recovery code not acknowledged", r)
        expect(not r.logged_in and r.rc == 255, "a too-short new password logged in", r)
        expect("At least 8 characters" in r.stderr, "the unmet rule was not shown", r)
        expect(shadow_entry(self.user) == before, "the too-short password changed /etc/shadow")

        step = next_step(self.last_step)
        r = self.env.ssh(self.user, password=PASSWORD, code=totp(self.key, step), new_password=NEW_PASSWORD)
        self.last_step = step
        expect(r.kinds() == CHANGE_PROMPTS, "expected the expired-password change prompts", r)
        expect(r.logged_in, "a good new password did not complete the login", r)
        expect(shadow_entry(self.user) != before, "/etc/shadow unchanged after the change")

        step = next_step(self.last_step)
        r = self.env.ssh(self.user, password=NEW_PASSWORD, code=totp(self.key, step))
        self.last_step = step
        expect(r.kinds() == ["password", "code"], "a later login asked more than password and code", r)
        expect(r.logged_in, "the new password does not log in", r)

        r = self.env.ssh(self.user, password=PASSWORD)
        expect(r.kinds() == ["password"] and not r.logged_in, "the old password still gets past pam_unix", r)

    def c8_password_history_refuses_reuse_at_change(self):
        # The last stack line (password optional pam_chorus.so) recorded NEW_PASSWORD in c7.
        subprocess.run(["chage", "-d", "0", self.user], check=True)
        r = self.env.ssh(self.user, password=NEW_PASSWORD, code=self.recovery.pop(), new_password=NEW_PASSWORD)
        expect(r.kinds() == CHANGE_PROMPTS, "expected the expired-password change prompts", r)
        expect(not r.logged_in and r.rc == 255, "reusing the last password logged in", r)
        expect("Not your last password" in r.stderr or "Not one of your last" in r.stderr,
               "the history rule was not shown", r)

    def c9_registration_retries_and_is_required(self):
        # Five wrong confirmation codes: no key is saved and the login is refused (policy: required).
        r = self.env.ssh(self.third, password=PASSWORD, registration=["000000"])
        expect(r.kinds() == ["password"] + ["registration_code"] * 5, "expected five code prompts", r)
        expect(not r.logged_in and r.rc == 255, "a failed registration logged in", r)
        expect("does not match" in r.text(), "no 'does not match' message after a wrong code", r)
        expect("must be set up before you can log in" in r.stderr, "no refusal message", r)
        expect("(Enter to skip)" not in r.text(), "skip offered although registration is required", r)
        # Still unregistered: the next login offers registration again; a wrong
        # code, then the right one, completes it.
        r = self.env.ssh(self.third, password=PASSWORD, registration=["000000", "app"])
        expect(r.kinds() == ["password", "registration_code", "registration_code", "phone", "email"],
               "expected a retry of the code prompt", r)
        expect(r.logged_in, "registration after a retry did not log in", r)

    def c10_registration_proves_the_phone_by_sms(self):
        r = self.env.ssh(self.fourth, password=PASSWORD, phone="+6421555123",
                         gateway_requests=self.env.gateway_requests)
        expect(r.kinds() == ["password", "registration_code", "phone", "proof_code", "email"],
               "expected the phone's proof after the phone prompt", r)
        expect(r.logged_in, "registration with a proven phone did not log in", r)
        expect("Phone number proven." in r.text(), "the proof was not confirmed", r)
        record = self.env.record_text(self.fourth)
        expect("\nphone +6421555123\n" in record and "\nphone.proven_at " in record,
               "the phone is not stored as proven")

    def c11_default_sms_sends_the_code_first(self):
        subprocess.run([self.env.chorusctl, "--config", self.env.config, "set-default", self.fourth, "sms"],
                       check=True, capture_output=True)
        r = self.env.ssh(self.fourth, password=PASSWORD, gateway_requests=self.env.gateway_requests)
        expect(r.kinds() == ["password", "sms_code"], "expected the SMS code prompt right after the password", r)
        expect("A code is on its way to your phone by SMS." in r.text(), "the SMS was not announced", r)
        expect(r.logged_in, "the code sent by SMS did not log in", r)

    def c12_a_second_app_logs_in(self):
        second = "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA"
        subprocess.run([self.env.chorusctl, "--config", self.env.config, "enroll", self.fourth, "--add",
                        "--name", "tablet", "--secret", second], check=True, capture_output=True)
        subprocess.run([self.env.chorusctl, "--config", self.env.config, "set-default", self.fourth, "app"],
                       check=True, capture_output=True)
        code = totp(second, int(time.time()) // PERIOD)
        r = self.env.ssh(self.fourth, password=PASSWORD, code=code)
        expect(r.kinds() == ["password", "code"], "expected password then code prompts", r)
        expect(r.logged_in, "the second app's code did not log in", r)
        r = self.env.ssh(self.fourth, password=PASSWORD, code=code)
        expect(not r.logged_in and "already used" in r.stderr, "the second app's code worked twice", r)

    def c13_sms2_reaches_the_alternate_phone(self):
        subprocess.run([self.env.chorusctl, "--config", self.env.config, "unlock", self.fourth],
                       check=True, capture_output=True)
        subprocess.run([self.env.chorusctl, "--config", self.env.config, "set-phone", "--alternate", "--proven",
                        self.fourth, "+6421555999"], check=True, capture_output=True)
        r = self.env.ssh(self.fourth, password=PASSWORD, code="sms2", gateway_requests=self.env.gateway_requests)
        expect(r.kinds() == ["password", "code", "sms_code"], "expected the SMS prompt after sms2", r)
        expect(r.logged_in, "the code sent to the alternate phone did not log in", r)
        with open(self.env.gateway_requests) as f:
            last = json.loads(f.readlines()[-1])
        expect(json.loads(last["body"])["to"] == "+6421555999", "the code went to %s" % last["body"])


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("SKIP: needs root (creates users, /etc/pam.d file, runs sshd)")
        return 77
    if not os.access(SSHD, os.X_OK):
        print("SKIP: %s not installed (openssh-server)" % SSHD)
        return 77

    def stop(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally below

    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, stop)

    env = SshdEnv(sys.argv[1], deliver=sys.argv[2], chorusctl=sys.argv[3])
    failed = []
    try:
        cases = Cases(env)
        env.start()
        names = sorted((n for n in dir(Cases) if n[:1] == "c" and n[1:2].isdigit()),
                       key=lambda n: int(n[1:].split("_")[0]))
        for name in names:
            started = time.time()
            try:
                getattr(cases, name)()
                print("PASS %s (%.1f s)" % (name, time.time() - started), flush=True)
            except Exception as e:  # noqa: BLE001 - a case that breaks is a failed case
                failed.append(name)
                print("FAIL %s: %s" % (name, e), flush=True)
        for note in cases.notes:
            print("note: " + note)
        if failed:
            print("---- sshd log ----\n" + env.sshd_log_text()[-8000:])
    finally:
        env.close()
    print("%d case(s) failed: %s" % (len(failed), " ".join(failed)) if failed else "all cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
