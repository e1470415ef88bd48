# SPDX-License-Identifier: BSD-2-Clause
"""A throw-away PostgreSQL 15 cluster for one test: initdb + pg_ctl as the
postgres user (the server refuses root), loopback TCP on a free port, a
private socket directory; stopped by PID in stop(), even after a failure.
Also imported by bench/pg_bench.py (scripts/bench --postgresql), which passes
settings={} to keep the server's durable defaults (fsync on)."""
import glob
import os
import signal
import socket
import subprocess
import time


def find_bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, top, settings=None):
        # Server settings (-c name=value) besides the port, socket dir and
        # listen address; tests run without fsync.
        self.settings = {"fsync": "off"} if settings is None else dict(settings)
        self.bindir = find_bindir()
        self.top = os.path.join(top, "pg")
        os.mkdir(self.top, 0o700)
        self.data = os.path.join(self.top, "data")
        self.sock = os.path.join(self.top, "sock")
        os.mkdir(self.sock, 0o700)
        os.chown(self.top, self.uid(), -1)
        os.chown(self.sock, self.uid(), -1)
        self.port = free_port()
        self.pid = None

    @staticmethod
    def uid():
        import pwd
        return pwd.getpwnam("postgres").pw_uid

    def run(self, *argv, check=True, **kw):
        cmd = ["runuser", "-u", "postgres", "--", os.path.join(self.bindir, argv[0])] + list(argv[1:])
        return subprocess.run(cmd, check=check, capture_output=True, text=True, cwd=self.top, **kw)

    def conninfo(self, user="postgres"):
        return "host=127.0.0.1 port=%d dbname=chorus user=%s" % (self.port, user)

    def init(self):
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        self.run("createdb", "-h", self.sock, "-p", str(self.port), "-U", "postgres", "chorus")

    def start(self):
        opts = "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.port, self.sock)
        opts += "".join(" -c %s=%s" % kv for kv in sorted(self.settings.items()))
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.top, "log"), "-o", opts, "-w", "-t", "30",
                 "start")
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)
        self.kill()

    def kill(self):
        """By PID: whatever pg_ctl managed, the postmaster is gone after this."""
        if self.pid is None:
            return
        for sig in (signal.SIGQUIT, signal.SIGKILL):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                break
            for _ in range(50):
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        self.pid = None

    def psql(self, sql, user="postgres"):
        return self.psql_run(sql, user).stdout.strip()

    def psql_run(self, sql, user="postgres", check=True):
        """As `user` (initdb --auth=trust: no password on the private socket)."""
        return self.run("psql", "-h", self.sock, "-p", str(self.port), "-U", user, "-d", "chorus", "-At",
                        "-v", "ON_ERROR_STOP=1", "-c", sql, check=check)

    def dump(self):
        return self.run("pg_dump", "-h", self.sock, "-p", str(self.port), "-U", "postgres", "chorus").stdout
