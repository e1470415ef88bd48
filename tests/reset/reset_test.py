#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""End-to-end tests of the built chorus-reset (one case per ctest entry):
    reset_test.py --reset BIN --ctl CHORUSCTL --helper CAPI_HELPER
                  --module PAM_CHORUS_SO --service NAME CASE
Needs root, useradd, pamtester and oathtool; exits 77 (skip) without them."""
import argparse
import os
import re
import shutil
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "events"))
from harness import EMAIL, OLD_PASSWORD, SKIP, Env, Fail, Session, run  # noqa: E402
from capture import Capture, CaptureUnavailable, tally  # noqa: E402

NEW_PASSWORD = "Fresh-Start42"
SENT = r"We sent a 6-digit code to the email address registered for this account, if there is one\."


def check(cond, what):
    if not cond:
        raise Fail(what)


def to_email_code(s, env, ident=None):
    s.expect(r"Username or email address: ")
    s.send(ident or env.user)
    s.expect(SENT)
    s.expect(r"Verification code \(or 'resend'\): ")


def to_new_password(s, env, ident=None):
    to_email_code(s, env, ident)
    s.send(env.wait_code())
    s.expect(r"1\) code from your app")
    s.expect(r"Choose a number: ")
    s.send("1")
    s.expect(r"Code from your authenticator app")
    s.send(env.app_code())


def full_reset(env, password, ident=None):
    s = Session(env)
    to_new_password(s, env, ident)
    s.expect(r"New password: ")
    s.send(password)
    s.expect(r"Confirm new password: ")
    s.send(password)
    s.expect(r"\[x\] Passwords match")
    s.expect(r"Your password has been reset\. You can log in now\.")
    rc = s.wait()
    check(rc == 0, "reset exit %d:\n%s" % (rc, s.text()))
    return s


def case_usage(env):
    p = run([env.o.reset, "--help"])
    check(p.stdout.startswith("Usage: chorus-reset"), "--help")
    check(run([env.o.reset, "--bogus"], check=False).returncode == 2, "unknown option")
    check(run([env.o.reset, "extra"], check=False).returncode == 2, "operand")
    if shutil.which("setpriv"):
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        p = run(nobody + [env.o.reset, "--config", env.cfg, "--batch"], check=False)
        check(p.returncode == 2 and "root only" in p.stderr, "--config as nobody: %r" % (p,))


def case_no_terminal(env):
    p = run([env.o.reset, "--config", env.cfg], inp="", check=False)
    check(p.returncode == 1 and "needs a terminal" in p.stderr, "no terminal: %r" % (p,))
    check("Username" not in p.stdout, "asked although there is no terminal")


def expect_events(env, since, want):
    """The audit events of env.user since `since` are exactly want."""
    if env.capture is None:
        return
    got = tally(env.capture.wait(sum(want.values()), since, CHORUS_USER=env.user))
    check(got == want, "events of %s:\n got      %r\n expected %r" % (env.user, sorted(got.items()),
                                                                      sorted(want.items())))


def case_full_reset(env):
    since = time.time() - 1
    env.add_user()
    env.install_pam()
    # A failure to be cleared by the reset.
    run([env.o.helper, "verify", env.cfg, env.user, "000000"], check=False)
    check(re.search(r"failures:\s*1", env.status()), "failure not counted:\n" + env.status())
    full_reset(env, NEW_PASSWORD)
    check(env.password_works(NEW_PASSWORD), "the new password does not work")
    check(not env.password_works(OLD_PASSWORD), "the old password still works")
    check(re.search(r"failures:\s*0", env.status()), "failures not cleared:\n" + env.status())
    # The history was recorded by the second pam_chorus line: a *change* to
    # the same password is refused now.
    p = run([env.o.ctl, "--config", env.cfg, "check-password", "--user", env.user], inp=NEW_PASSWORD + "\n",
            check=False)
    check(p.returncode == 1, "history not recorded: %s" % p.stdout)
    # The app and email registered, the failed code, then each step of the
    # reset: start, code sent, code right, second factor right, password set.
    expect_events(env, since, {("registration", "success", "app"): 1, ("registration", "success", "email"): 1,
                               ("login", "failure", "none"): 1, ("reset", "started", "none"): 1,
                               ("reset", "success", "none"): 4})


def case_reuse_last_password(env):
    env.add_user()
    env.install_pam()
    # The current password is the newest in the history (as after a change).
    run([env.o.helper, "record", env.cfg, env.user], inp=OLD_PASSWORD + "\n")
    s = full_reset(env, OLD_PASSWORD, ident=EMAIL.upper())  # by email, any case
    check("[ ]" not in s.text(), "a rule was unmet:\n" + s.text())
    check(env.password_works(OLD_PASSWORD), "password does not work after the reset")


def case_weak_password_refused(env):
    env.add_user()
    env.install_pam()
    s = Session(env)
    to_new_password(s, env)
    s.expect(r"New password: ")
    s.send("abc")
    s.expect(r"\[ \] At least 8 characters")
    s.expect(r"does not meet every rule")
    s.expect(r"New password: ")  # asked again, no confirmation
    s.send("ab" + env.user + "X9")  # contains the user name
    s.expect(r"\[ \] .*(name|user)", timeout=10)
    s.expect(r"New password: ")
    s.close_input()
    rc = s.wait()
    check(rc == 1, "exit %d after a refused password" % rc)
    check("has been reset" not in s.text(), "reset reported")
    check(env.password_works(OLD_PASSWORD), "the old password no longer works")


def case_wrong_code_locks(env):
    env.add_user()
    s = Session(env)
    to_email_code(s, env)
    env.wait_code()
    for _ in range(4):
        s.send("000000")
        s.expect(r"That code is not right\.")
    s.send("000000")
    s.expect(r"Too many attempts\. Try again later\.")
    check(s.wait() == 1, "not exit 1 when locked")
    # A new attempt is refused at once, and nothing more is sent.
    s = Session(env)
    s.expect(r"Username or email address: ")
    s.send(env.user)
    s.expect(r"Too many attempts\. Try again later\.")
    check(s.wait() == 1, "a locked reset went on")
    check(len(re.findall(r"reset code is", env.mail_text())) == 1, "a code was sent while locked")


def transcript_wrong_codes(env, ident):
    s = Session(env)
    to_email_code(s, env, ident)
    for _ in range(5):
        s.send("123456")
    s.close_input()
    rc = s.wait()
    return rc, s.text()


def case_unknown_user_same_prompts(env):
    env.add_user()
    rc_known, known = transcript_wrong_codes(env, env.user)
    check(env.wait_code(), "the registered user got no code")
    os.unlink(env.mail)
    rc_unknown, unknown = transcript_wrong_codes(env, "nosuchuser%d" % os.getpid())
    rc_email, by_email = transcript_wrong_codes(env, "nobody%d@example.org" % os.getpid())
    time.sleep(1)
    check(env.mail_text() == "", "something was sent for an unknown user: %r" % env.mail_text())
    check(rc_known == rc_unknown == rc_email == 1, "exit codes differ: %d %d %d" % (rc_known, rc_unknown, rc_email))
    check(known == unknown == by_email, "transcripts differ:\n%s\n---\n%s\n---\n%s" % (known, unknown, by_email))


def case_unproven_email_gets_nothing(env):
    """An address nobody proved is no way to reset: the same answers as an
    unknown account, whether asked by name or by the address, and no mail."""
    env.add_user(proven=False)
    rc_name, by_name = transcript_wrong_codes(env, env.user)
    rc_email, by_email = transcript_wrong_codes(env, EMAIL)
    rc_unknown, unknown = transcript_wrong_codes(env, "nosuchuser%d" % os.getpid())
    time.sleep(1)  # delivery is detached: let a wrongly sent code land
    check(env.mail_text() == "", "a code went to an address that was not proven: %r" % env.mail_text())
    check(rc_name == rc_email == rc_unknown == 1, "exit codes differ: %d %d %d" % (rc_name, rc_email, rc_unknown))
    check(by_name == unknown and by_email == unknown,
          "transcripts differ:\n%s\n---\n%s\n---\n%s" % (by_name, by_email, unknown))


def transcript_two_sessions(env, ident):
    """Two resets of ident inside resend_cooldown, each asking for a re-send
    at once and typing one wrong code; the exit statuses and the text with
    the seconds of any wait blanked out (they depend on timing only)."""
    out = []
    for _ in range(2):
        s = Session(env)
        to_email_code(s, env, ident)
        s.send("resend")
        s.expect(r"Wait \d+ seconds before asking for another code\.")
        s.send("123456")
        s.expect(r"That code is not right\.")
        s.close_input()
        rc = s.wait()
        out.append((rc, re.sub(r"Wait \d+ seconds", "Wait N seconds", s.text())))
    return out


def case_second_session_same_as_unknown(env):
    # Regression: the second reset of a resettable account inside the
    # cooldown said "Wait N seconds" after "We sent ...", an unknown name
    # did not, which told a stranger which names can reset.
    env.add_user()
    known = transcript_two_sessions(env, env.user)
    unknown = transcript_two_sessions(env, "nosuchuser%d" % os.getpid())
    check(known == unknown, "transcripts differ:\n%r\n---\n%r" % (known, unknown))
    time.sleep(1)  # delivery is detached: let a wrongly sent second code land
    check(len(re.findall(r"reset code is", env.mail_text())) == 1,
          "not exactly one code inside the cooldown: %r" % env.mail_text())


def transcript_capped(env, ident, sessions):
    """`sessions` resets of ident, each with one re-send (resend_cooldown: 0),
    returns the exit statuses and transcripts."""
    out = []
    for _ in range(sessions):
        s = Session(env)
        to_email_code(s, env, ident)
        s.send("resend")
        s.expect(r"Verification code \(or 'resend'\): ")
        s.close_input()
        out.append((s.wait(), s.text()))
    return out


def case_hourly_cap_same_as_unknown(env):
    # The per-account hourly cap (5) is reached in the third session; the
    # answers must still not differ from an unknown name's, and it must hold.
    env.add_user()
    known = transcript_capped(env, env.user, 4)
    unknown = transcript_capped(env, "nosuchuser%d" % os.getpid(), 4)
    check(known == unknown, "transcripts differ:\n%r\n---\n%r" % (known, unknown))
    time.sleep(1)
    check(len(re.findall(r"reset code is", env.mail_text())) == 5,
          "the hourly cap of 5 did not hold: %r" % env.mail_text())


def case_reset_by_email_skips_busy_account(env):
    # Regression: the lookup by email locked every account in turn and gave
    # up on the first busy one, so any user who stopped a process holding
    # their own lock (e.g. the setuid chorus-check) broke every reset by email.
    env.add_user()
    env.install_pam()
    other = env.add_user(email="other@b.example", prefix="chrsa")  # listed before env.user
    held = env.hold_lock(other)
    try:
        full_reset(env, NEW_PASSWORD, ident=EMAIL)
    finally:
        held.close()
    check(env.password_works(NEW_PASSWORD), "the new password does not work")


def case_busy_match_looks_unknown(env):
    # The account asked for is itself busy: it can't reset now, and the
    # requester sees what an unknown name or address sees.
    env.add_user()
    held = env.hold_lock(env.user)
    try:
        runs = [transcript_wrong_codes(env, ident) for ident in
                (EMAIL, "nobody%d@example.org" % os.getpid(), env.user, "nosuchuser%d" % os.getpid())]
    finally:
        held.close()
    time.sleep(0.5)
    check(env.mail_text() == "", "a code was sent to a busy account: %r" % env.mail_text())
    check(re.search(SENT, runs[0][1]), "no 'We sent' for a busy account:\n" + runs[0][1])
    check(all(r == runs[0] for r in runs), "transcripts differ:\n%r" % (runs,))


def case_resend_throttled(env):
    env.add_user()
    s = Session(env)
    to_email_code(s, env)
    env.wait_code()
    s.send("resend")
    s.expect(r"Wait \d+ seconds before asking for another code\.")
    s.close_input()
    check(s.wait() == 1, "exit status")
    time.sleep(0.5)
    check(len(re.findall(r"reset code is", env.mail_text())) == 1, "a throttled code was sent")


def case_resend_replaces_code(env):
    env.add_user()
    env.install_pam()
    s = Session(env)
    to_email_code(s, env)
    first = env.wait_code(1)
    time.sleep(2.1)  # resend_cooldown: 2
    s.send("RESEND")
    s.expect(r"We sent a new code")
    second = env.wait_code(2)
    if first != second:
        s.send(first)
        s.expect(r"That code is not right\.")
    s.send(second)
    s.expect(r"1\) code from your app")
    s.close_input()
    s.wait()


def live_to_password(env, term, extra=()):
    env.add_user()
    env.install_pam()
    s = Session(env, tty=True, term=term, extra=extra)
    to_new_password(s, env)
    s.expect(r"New password \(typing is not shown")
    return s


def case_live_checklist_ascii(env):
    s = live_to_password(env, "dumb")
    s.expect(r"\[ \] At least 8 characters\r?\n.*\r?\n  \[ \] At least 3 of")
    s.send("a", newline=False)
    s.expect(r"\[ \] At least 3 of")
    s.send("B", newline=False)
    s.expect(r"\[ \] At least 3 of")
    s.send("\r", newline=False)  # not every rule met: refused
    got = s.quiet(1.0)
    check(b"Confirm" not in got and b"\a" in got, "Enter with unmet rules: %r" % got)
    s.send("x\x7f", newline=False)  # typed and erased
    s.send("3$efgh", newline=False)
    s.expect(r"\[x\] At least 8 characters\r?\n.*\r?\n  \[x\] At least 3 of")
    check("\u2714" not in s.text() and "\033[" not in s.text(), "TERM=dumb got Unicode or escapes")
    s.send("\r", newline=False)
    s.expect(r"Confirm new password")
    s.expect(r"\[ \] Passwords match")
    s.send("aB3$efgX\r", newline=False)  # mismatch: refused
    got = s.quiet(1.0)
    check(b"\a" in got and b"reset" not in got, "a mismatched confirmation was accepted: %r" % got)
    s.send("\x15aB3$efgh", newline=False)  # Ctrl-U, then the right one
    s.expect(r"\[x\] Passwords match")
    s.send("\r", newline=False)
    s.expect(r"Your password has been reset")
    rc = s.wait()
    check(rc == 0, "exit %d:\n%s" % (rc, s.text()))
    check("aB3$efgh" not in s.text(), "the password was echoed")
    check(env.password_works("aB3$efgh"), "the new password does not work")


def case_live_checklist_unicode(env):
    s = live_to_password(env, "xterm-256color")
    s.expect("\u2718".encode() + rb" At least 8")
    s.send("aB3$efgh", newline=False)
    s.expect(rb"\033\[\d+A")  # redrawn in place
    s.expect(re.escape("\033[32m\u2714\033[0m At least 8".encode()))
    s.send("\x03", newline=False)  # Ctrl-C
    s.expect(r"Reset cancelled")
    check(s.wait() == 1, "Ctrl-C did not end with 1")
    check(env.password_works(OLD_PASSWORD), "the password changed after Ctrl-C")


def main():
    ap = argparse.ArgumentParser()
    for o in ("reset", "ctl", "helper", "module", "service"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("case")
    o = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    for tool in ("useradd", "chpasswd", "pamtester", "oathtool"):
        if not shutil.which(tool):
            print("SKIP: %s not installed" % tool)
            return SKIP
    extra = {"resend_replaces_code": "reset: { resend_cooldown: 2 }\n",
             "hourly_cap_same_as_unknown": "reset: { resend_cooldown: 0 }\n"}.get(o.case, "")
    env = Env(o, extra)
    # The audit events the case causes (None when a real journald or syslog
    # daemon holds the sockets: the event checks are then skipped).
    try:
        env.capture = Capture().open()
    except CaptureUnavailable as e:
        print("note: events not checked: %s" % e)
        env.capture = None
    try:
        globals()["case_" + o.case](env)
    except Fail as e:
        print("FAIL: %s: %s" % (o.case, e))
        return 1
    finally:
        if env.capture is not None:
            env.capture.close()
        env.cleanup()
    print("PASS: " + o.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
