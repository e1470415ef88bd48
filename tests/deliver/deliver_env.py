# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures of the chorus-deliver tests: a private /dev/log that captures
syslog, the real servers (started and stopped by PID), configs, and a run of
the helper with an empty environment."""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"  # the Debian interpreter, which has aiosmtpd

PHONE, MASKED_PHONE = "+6421555567", "+64\u2022\u2022\u2022\u2022\u2022567"
ADDRESS, MASKED_ADDRESS = "alice@example.org", "a\u2022\u2022\u2022@example.org"


class Skip(Exception):
    """A case that cannot run here (exit 77)."""


def request(channel, to, body, subject=""):
    """The text the library writes on the helper's stdin."""
    return "channel: %s\nto: %s\nsubject: %s\n\n%s" % (channel, to, subject, body)


def expect(rc, want, what=""):
    assert rc == want, "exit %d, expected %d %s" % (rc, want, what)


def enter_private_dev():
    """In a private mount namespace (the caller re-executed itself under
    unshare -m): hides the real /dev behind a tmpfs that holds the usual
    device nodes plus our own /dev/log, so syslog(3) of the helper lands here
    and nowhere else."""
    real = tempfile.mkdtemp(prefix="chorus-realdev-")
    subprocess.run(["mount", "--bind", "/dev", real], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", "/dev"], check=True)
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        if os.path.exists(os.path.join(real, node)):
            open("/dev/" + node, "w").close()
            subprocess.run(["mount", "--bind", os.path.join(real, node), "/dev/" + node], check=True)
    # The nodes stay bound; the bind of the whole /dev is no longer needed.
    subprocess.run(["umount", "-l", real], check=True)
    os.rmdir(real)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, "/dev/" + name)


def private_etc_chorus(scratch):
    """Gives this mount namespace its own /etc/chorus (an overlay on /etc
    whose changes live in a tmpfs), so that the default configuration path
    the library and the helper use can be the test's."""
    ov = os.path.join(scratch, "etc-overlay")
    os.mkdir(ov)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=700", "tmpfs", ov], check=True)
    os.mkdir(ov + "/upper")
    os.mkdir(ov + "/work")
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    "lowerdir=/etc,upperdir=%s/upper,workdir=%s/work" % (ov, ov), "/etc"], check=True)
    if os.path.isdir("/etc/chorus"):
        shutil.rmtree("/etc/chorus")
    os.mkdir("/etc/chorus", 0o755)


class SyslogCapture:
    """Receives every datagram sent to /dev/log."""

    def __init__(self):
        self.lines = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("/dev/log")
        os.chmod("/dev/log", 0o666)  # the helper logs as nobody too
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            data = self.sock.recv(65536)
            self.lines.append(data.decode("utf-8", "replace"))

    def text(self):
        time.sleep(0.05)
        return "\n".join(self.lines)


class Server:
    """A server script run as a child; it prints its port first."""

    def __init__(self, script, directory, mode):
        self.proc = subprocess.Popen([PYTHON, os.path.join(HERE, script), directory, mode],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError(script + " did not start")
        self.port = int(line)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    def __init__(self, helper, syslog):
        self.helper = helper
        self.syslog = syslog
        self.dir = tempfile.mkdtemp(prefix="chorus-deliver-test-")  # 0700, root's
        self.mail_dir = os.path.join(self.dir, "mail")
        self.gw_dir = os.path.join(self.dir, "gateway")
        os.mkdir(self.mail_dir)
        os.mkdir(self.gw_dir)
        self.servers = []
        self.outputs = []  # (stdout, stderr) of every run
        self.code = "%06d" % random.randint(0, 999999)

    def body(self):
        return "Your verification code is %s. Nobody from support will ask you for it.\n" % self.code

    def smtp(self, mode="ok"):
        s = Server("smtp_sink.py", self.mail_dir, mode)
        self.servers.append(s)
        return s.port

    def gateway(self, mode="ok"):
        s = Server("gateway.py", self.gw_dir, mode)
        self.servers.append(s)
        return s.port

    def config(self, timeout=4, smtp_url="", sms_url="", voice_url="", email_from="chorus@example.org",
               mode=0o600, name="chorus.yaml", extra=""):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write("# test config\notp:\n  digits: 6\ndelivery:\n")
            f.write("  timeout: %d\n  smtp_url: \"%s\"\n  email_from: %s\n  sms_url: \"%s\"\n  voice_url: \"%s\"\n"
                    % (timeout, smtp_url, email_from, sms_url, voice_url))
            f.write(extra)  # more delivery: lines, indented by the caller
        os.chmod(path, mode)
        return path

    def settings(self, config):
        """The settings lines the library puts in a request for config, and
        its message ("" when it accepts the file)."""
        p = subprocess.run([os.environ["DELIVER_SETTINGS"], config], capture_output=True, env={}, timeout=30)
        return (p.stdout if p.returncode == 0 else None), p.stderr.decode("utf-8", "replace")

    def library_refuses(self, config):
        """Asserts the library refuses config (so no request is ever made);
        returns its message."""
        lines, message = self.settings(config)
        assert lines is None, "the library accepted " + config
        return message

    def run(self, config, request, env=None, prefix=(), args=None, settings=True):
        """Runs the helper on request, preceded by the settings lines the
        library writes for config (settings=False: the request as given);
        returns (exit status, seconds taken)."""
        argv = list(prefix) + [self.helper] + (args if args is not None else [])
        data = request if isinstance(request, bytes) else request.encode("utf-8")
        if settings:
            lines, message = self.settings(config)
            assert lines is not None, "the library refused %s: %s" % (config, message)
            data = lines + data
        start = time.monotonic()
        p = subprocess.run(argv, input=data, env=env or {}, capture_output=True, timeout=40)
        elapsed = time.monotonic() - start
        self.outputs.append((p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")))
        return p.returncode, elapsed

    def requests(self):
        path = os.path.join(self.gw_dir, "requests.jsonl")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def connections(self):
        """How many connections the gateway accepted (whatever was sent on them)."""
        path = os.path.join(self.gw_dir, "connections.log")
        if not os.path.exists(path):
            return 0
        with open(path, encoding="utf-8") as f:
            return len(f.readlines())

    def mails(self):
        out = []
        for name in sorted(os.listdir(self.mail_dir)):
            if name.endswith(".eml"):
                base = os.path.join(self.mail_dir, name[:-4])
                with open(base + ".eml", "rb") as f, open(base + ".json", encoding="utf-8") as g:
                    out.append((f.read(), json.load(g)))
        return out

    def log_text(self):
        """What syslog received; without a private /dev/log, what the helper
        printed on stderr (the same lines)."""
        if self.syslog:
            return self.syslog.text()
        return "\n".join(e for _, e in self.outputs)

    def assert_code_never_logged(self):
        """Neither syslog nor the helper's stdout/stderr ever shows the code."""
        logs = self.syslog.text() if self.syslog else ""
        assert logs or not self.syslog or not self.outputs, "syslog captured nothing: the check would be vacuous"
        for where, text in [("syslog", logs)] + [("stdout", o) for o, _ in self.outputs] + \
                [("stderr", e) for _, e in self.outputs]:
            assert self.code not in text, "the code appears in " + where + ": " + text

    def close(self):
        for s in self.servers:
            s.stop()
        overlay = os.path.join(self.dir, "etc-overlay")
        if os.path.isdir(overlay):
            subprocess.run(["umount", "-l", "/etc"], check=False)
            subprocess.run(["umount", "-l", overlay], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
