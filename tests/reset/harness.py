# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures for the chorus-reset tests: a temporary configuration and state,
a stub delivery helper that appends what it is given to a file, a real test
account (useradd/chpasswd/userdel), the PAM service the binary is built for
(installed only when absent, removed afterwards), and a driver that talks to
the binary over pipes (--batch) or a pseudo-terminal."""
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

SKIP = 77
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EMAIL = "a@b.example"
OLD_PASSWORD = "Old-Passw0rd"
MARK = "# installed by tests/reset/harness.py pid "


class Fail(Exception):
    pass


class Env:
    def __init__(self, opts, extra_yaml=""):
        self.o = opts
        self.dir = tempfile.mkdtemp(prefix="chorus-reset-test.")
        os.chmod(self.dir, 0o700)
        self.cfg = os.path.join(self.dir, "chorus.yaml")
        self.mail = os.path.join(self.dir, "mail.txt")
        self.stub = os.path.join(self.dir, "deliver.sh")
        with open(self.stub, "w") as f:  # the library runs it with an empty environment
            f.write("#!/bin/sh\n/bin/cat >> %s\necho >> %s\n" % (self.mail, self.mail))
        os.chmod(self.stub, 0o700)
        with open(self.cfg, "w") as f:
            f.write("store: { path: %s/state }\n" % self.dir)
            f.write("password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }\n")
            f.write('delivery: { helper: %s, smtp_url: "smtp://127.0.0.1:1" }\n' % self.stub)
            f.write(extra_yaml)
        os.chmod(self.cfg, 0o600)
        self.user = None
        self.users = []
        self.pam_files = []

    # ---- the account
    def add_user(self, enroll=True, email=EMAIL, prefix="chrst", proven=True):
        """A new account; the first one is self.user, the one the cases reset.
        prefix orders it among the others (the email lookup goes by name).
        proven: the email is stored as proven (an admin vouching for it)."""
        user = "%s%d%s" % (prefix, os.getpid() % 100000, os.urandom(2).hex())
        run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-c", "Reset Tester", user])
        self.users.append(user)
        run(["chpasswd"], inp="%s:%s\n" % (user, OLD_PASSWORD))
        if enroll:
            self.ctl("enroll", user, "--secret", SECRET)
        if email:
            self.ctl("set-email", *(["--proven"] if proven else []), user, email)
        self.user = self.user or user
        return user

    def hold_lock(self, user):
        """Takes user's store lock the way the library does (flock on
        STATE/<user>.lock) and keeps it until the returned file is closed, as
        a stopped process holding it would. Plain names are stored verbatim."""
        f = open(os.path.join(self.dir, "state", user + ".lock"), "rb")
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return f

    def ctl(self, *args, check=True):
        return run([self.o.ctl, "--config", self.cfg] + list(args), check=check)

    def status(self):
        return self.ctl("status", self.user).stdout

    # ---- PAM: the service chorus-reset is built for, and one to log in with
    def install_pam(self):
        path = "/etc/pam.d/" + self.o.service
        if os.path.exists(path):
            print("SKIP: %s exists; the test installs it only when absent" % path)
            raise SystemExit(SKIP)
        mod = "%s config=%s" % (self.o.module, self.cfg)
        self._write_pam(path, "password requisite %s mode=reset\n"
                              "password requisite pam_unix.so use_authtok yescrypt\n"
                              "password optional %s mode=reset\n" % (mod, mod))
        self.login_service = "chorus-reset-login-%d" % os.getpid()
        self._write_pam("/etc/pam.d/" + self.login_service,
                        "auth required pam_unix.so\naccount required pam_unix.so\n")

    def _write_pam(self, path, body):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w") as f:
            f.write(MARK + "%d\n" % os.getpid() + body)
        self.pam_files.append(path)

    def password_works(self, password):
        p = run(["pamtester", self.login_service, self.user, "authenticate"], inp=password + "\n", check=False)
        return p.returncode == 0

    def cleanup(self):
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
    def mail_text(self):
        try:
            with open(self.mail) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_code(self, count=1, timeout=10):
        """The count-th reset code the stub received (delivery is detached)."""
        end = time.time() + timeout
        while time.time() < end:
            codes = re.findall(r"reset code is (\d{6})", self.mail_text())
            if len(codes) >= count:
                return codes[count - 1]
            time.sleep(0.05)
        raise Fail("no email code #%d arrived: %r" % (count, self.mail_text()))

    def app_code(self):
        return run(["oathtool", "--totp", "-b", SECRET]).stdout.strip()


def run(argv, inp=None, check=True):
    p = subprocess.run(argv, input=inp, capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise Fail("%s: exit %d: %s%s" % (" ".join(argv), p.returncode, p.stdout, p.stderr))
    return p


class Session:
    """chorus-reset running with --batch over pipes, or on a pty."""

    def __init__(self, env, tty=False, term="dumb", extra=()):
        argv = [env.o.reset, "--config", env.cfg] + list(extra)
        self.out = b""
        self.pos = 0
        environ = {"PATH": "/usr/bin:/bin", "TERM": term}
        if tty:
            self.pid, self.fd = pty.fork()
            if self.pid == 0:
                os.execve(argv[0], argv, environ)
            self.proc = None
        else:
            argv.append("--batch")
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, env=environ)
            self.fd = self.proc.stdout.fileno()

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            return None
        self.out += data
        return True

    def expect(self, pattern, timeout=20):
        """Waits for pattern in the output after what was matched before."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        end = time.time() + timeout
        more = True
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.time()
            if left <= 0 or not more:
                raise Fail("expected /%s/; output so far:\n%s" % (pattern, self.out.decode(errors="replace")))
            more = self._read(left) is not None

    def quiet(self, seconds):
        """Reads for a while; returns what arrived."""
        start = len(self.out)
        end = time.time() + seconds
        while time.time() < end and self._read(max(0.0, end - time.time())) is not None:
            pass
        return self.out[start:]

    def send(self, text, newline=True):
        data = (text + ("\n" if newline and self.proc else "\r" if newline else "")).encode()
        if self.proc:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        else:
            os.write(self.fd, data)

    def close_input(self):
        if self.proc:
            self.proc.stdin.close()

    def wait(self, timeout=30):
        if self.proc:
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise Fail("chorus-reset did not exit")
            self.out += self.proc.stdout.read()
            return rc
        end = time.time() + timeout
        while time.time() < end:
            self._read(0.2)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.quiet(0.1)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise Fail("chorus-reset did not exit")

    def text(self):
        return self.out.decode(errors="replace")
