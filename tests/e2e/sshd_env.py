# SPDX-License-Identifier: BSD-2-Clause
"""A throw-away OpenSSH server with pam_chorus, for the end-to-end tests.

SshdEnv creates, as root: test users, a private 0700 directory (config,
state, host key, sshd_config, askpass wrapper), a PAM service file
/etc/pam.d/<name>, and an sshd started through a symlink called <name>
(OpenSSH takes the PAM service name from argv[0]). close() undoes all of it
and is safe to call more than once or after a partial setup.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SSHD = "/usr/sbin/sshd"
HERE = os.path.dirname(os.path.abspath(__file__))

CHORUS_YAML = """\
store: {{ path: {state} }}
password: {{ history: {{ argon2: {{ t_cost: 1, m_cost_kib: 8192 }} }} }}
{extra}"""

PAM_SERVICE = """\
# Written by tests/e2e ({name}); removed when the test ends.
auth     requisite pam_unix.so
auth     required  {module} config={config}
account  required  pam_unix.so
account  required  {module} config={config} qr={qr}
password requisite {module} config={config}
password requisite pam_unix.so use_authtok
password optional  {module} config={config}
session  required  pam_permit.so
"""

SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {dir}/host_ed25519
PidFile {dir}/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication no
AuthenticationMethods keyboard-interactive
AllowUsers {users}
PermitRootLogin no
StrictModes no
LogLevel DEBUG1
"""


def run(*argv, **kw):
    return subprocess.run(list(argv), check=True, capture_output=True, text=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SshResult:
    def __init__(self, proc, transcript):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.prompts = transcript  # [{"kind", "prompt", "answered"}], in order

    @property
    def logged_in(self):
        return self.rc == 0 and "LOGGED-IN" in self.stdout

    def kinds(self):
        return [p["kind"] for p in self.prompts]

    def text(self):
        """Everything the user was shown: prompts (with their info text) and stderr."""
        return "\n".join(p["prompt"] for p in self.prompts) + "\n" + self.stderr

    def describe(self):
        lines = ["ssh exit %d, prompts %s" % (self.rc, self.kinds())]
        lines += ["  stdout: " + l for l in self.stdout.splitlines()]
        lines += ["  stderr: " + l for l in self.stderr.splitlines()]
        return "\n".join(lines)


class SshdEnv:
    """module: pam_chorus.so to load; name: PAM service (and user prefix);
    qr: how registration draws the QR code; extra_config: YAML appended to
    chorus.yaml."""

    def __init__(self, module, name=None, qr="ascii", extra_config="", client_lang="C", deliver=None,
                 chorusctl=None, private_etc=False):
        self.module = os.path.abspath(module)
        # With deliver: the test's HTTP gateway (tests/deliver/gateway.py)
        # serves SMS, and chorus.yaml sends through the real chorus-deliver.
        self.deliver = os.path.abspath(deliver) if deliver else None
        self.chorusctl = os.path.abspath(chorusctl) if chorusctl else None
        self.gateway = None
        self.gateway_requests = None
        self.name = name or "chorus-e2e-%d" % os.getpid()
        self.qr = qr
        self.extra_config = extra_config
        self.client_lang = client_lang  # the ssh client escapes UTF-8 prompts unless its locale is UTF-8
        self.users = []
        self.dir = None
        self.pam_file = None
        self.sshd = None
        self.made_run_sshd = False
        # private_etc: sshd (and so every session it starts) runs in a mount
        # namespace whose /etc/chorus/chorus.yaml is this environment's
        # configuration, so tools run in a session (chorus-enroll) read it.
        self.private_etc = private_etc
        self.made_etc_chorus = False

    # ---- setup -------------------------------------------------------------
    def add_user(self, suffix, password, exact_name=None):
        user = exact_name or "%s%s" % (self.name, suffix)
        run("useradd", "-m", "-s", "/bin/sh", user)
        self.users.append(user)
        run("chpasswd", input="%s:%s\n" % (user, password))
        return user

    def start(self):
        self.dir = tempfile.mkdtemp(prefix=self.name + ".")
        os.chmod(self.dir, 0o700)
        self.config = os.path.join(self.dir, "chorus.yaml")
        self.state = os.path.join(self.dir, "state")
        extra = self.extra_config
        if self.deliver:
            gw_dir = os.path.join(self.dir, "gateway")
            os.mkdir(gw_dir, 0o700)
            self.gateway = subprocess.Popen(["python3", os.path.join(HERE, "..", "deliver", "gateway.py"), gw_dir, "ok"],
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            port = int(self.gateway.stdout.readline())
            self.gateway_requests = os.path.join(gw_dir, "requests.jsonl")
            extra += "delivery: {{ helper: {}, sms_url: \"http://127.0.0.1:{}/sms\", timeout: 10 }}\n".format(
                self.deliver, port)
        self._write(self.config, CHORUS_YAML.format(state=self.state, extra=extra))
        self.client_home = os.path.join(self.dir, "client-home")
        os.mkdir(self.client_home, 0o700)
        self.askpass = os.path.join(self.dir, "askpass")
        self._write(self.askpass, '#!/bin/sh\nexec python3 %s/askpass.py "$@"\n' % HERE, 0o700)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", os.path.join(self.dir, "host_ed25519"))
        self.pam_file = "/etc/pam.d/" + self.name
        if os.path.exists(self.pam_file):
            raise RuntimeError(self.pam_file + " already exists")
        self._write(self.pam_file, PAM_SERVICE.format(name=self.name, module=self.module, config=self.config, qr=self.qr), 0o644)
        self.port = free_port()
        sshd_config = os.path.join(self.dir, "sshd_config")
        self._write(sshd_config, SSHD_CONFIG.format(port=self.port, dir=self.dir, users=" ".join(self.users)))
        if not os.path.isdir("/run/sshd"):  # Debian's privilege-separation directory
            os.makedirs("/run/sshd", 0o755)
            self.made_run_sshd = True
        link = os.path.join(self.dir, self.name)
        os.symlink(SSHD, link)
        self.sshd_log = os.path.join(self.dir, "sshd.log")
        argv = [link, "-D", "-e", "-f", sshd_config]
        if self.private_etc:
            # A tmpfs over /etc/chorus in the namespace only (the host's
            # files there stay as they are and unseen by the sessions), with
            # the configuration bind-mounted into it, so later edits of it
            # are seen too. The rest of /etc (passwords, PAM) is the host's.
            if not os.path.isdir("/etc/chorus"):
                os.mkdir("/etc/chorus", 0o755)  # an empty mount point, removed in close()
                self.made_etc_chorus = True
            script = ('set -e; mount -t tmpfs -o mode=755 tmpfs /etc/chorus; : > /etc/chorus/chorus.yaml; '
                      'mount --bind "$1" /etc/chorus/chorus.yaml; shift; exec "$@"')
            argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", self.config] + argv
        with open(self.sshd_log, "w") as log:
            self.sshd = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        self._wait_listening()

    def _write(self, path, text, mode=0o600):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w") as f:
            f.write(text)

    def _wait_listening(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.sshd.poll() is not None:
                raise RuntimeError("sshd exited (%d):\n%s" % (self.sshd.returncode, self.sshd_log_text()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("sshd did not start listening on port %d" % self.port)

    def sshd_log_text(self):
        try:
            with open(self.sshd_log, errors="replace") as f:
                return f.read()
        except (OSError, TypeError):
            return ""

    # ---- the client ----------------------------------------------------------
    def ssh(self, user, command="echo LOGGED-IN", **answers):
        """One login attempt that runs command; answers: password, code, new_password, phone, email."""
        answers.setdefault("phone", "")
        answers.setdefault("email", "")
        with open(os.path.join(self.dir, "answers.json"), "w") as f:
            json.dump(answers, f)
        transcript = os.path.join(self.dir, "transcript.jsonl")
        if os.path.exists(transcript):
            os.unlink(transcript)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": self.client_home, "DISPLAY": "e2e:0",
               "SSH_ASKPASS": self.askpass, "SSH_ASKPASS_REQUIRE": "force", "CHORUS_E2E_DIR": self.dir,
               "LANG": self.client_lang}
        argv = ["ssh", "-F", "/dev/null", "-p", str(self.port), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "PreferredAuthentications=keyboard-interactive", "-o", "NumberOfPasswordPrompts=1",
                "%s@127.0.0.1" % user, command]
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                              start_new_session=True, timeout=60)  # new session: no controlling tty
        seen = []
        if os.path.exists(transcript):
            with open(transcript) as f:
                seen = [json.loads(line) for line in f]
        result = SshResult(proc, seen)
        print("  ssh %s: exit %d, prompts %s" % (user, result.rc, result.kinds()), flush=True)
        if os.environ.get("CHORUS_E2E_VERBOSE"):
            for p in seen:
                print("  ---- askpass %s:\n%s" % (p["kind"], p["prompt"]))
            print("  ---- stderr:\n" + result.stderr)
        return result

    def registered_key(self):
        with open(os.path.join(self.dir, "key.json")) as f:
            return json.load(f)

    def state_files(self, user):
        return sorted(n for n in os.listdir(self.state) if n.split(".")[0] == user) \
            if os.path.isdir(self.state) else []

    def record_text(self, user):
        """The user's record file as stored (".rec", the file store's text)."""
        with open(os.path.join(self.state, user + ".rec"), encoding="utf-8") as f:
            return f.read()

    # ---- teardown --------------------------------------------------------------
    def close(self):
        if self.gateway is not None and self.gateway.poll() is None:
            self.gateway.terminate()
            try:
                self.gateway.wait(10)
            except subprocess.TimeoutExpired:
                self.gateway.kill()
                self.gateway.wait()
        self.gateway = None
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.send_signal(signal.SIGTERM)  # the listener; its children end with it
            try:
                self.sshd.wait(10)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait()
        self.sshd = None
        if self.pam_file and os.path.exists(self.pam_file):
            os.unlink(self.pam_file)
        self.pam_file = None
        while self.users:
            user = self.users.pop()
            for _ in range(20):  # exit 8: a session process of the user is still ending
                if subprocess.run(["userdel", "-r", user], capture_output=True).returncode != 8:
                    break
                time.sleep(0.25)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if self.made_run_sshd:
            shutil.rmtree("/run/sshd", ignore_errors=True)
            self.made_run_sshd = False
        if self.made_etc_chorus:
            try:
                os.rmdir("/etc/chorus")  # only if still empty
            except OSError:
                pass
            self.made_etc_chorus = False
