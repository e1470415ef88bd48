#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The PostgreSQL-store part of scripts/bench (docs/PERFORMANCE.md, "PostgreSQL
store"). Starts a local PostgreSQL (tests/postgresql/pg_server.py: initdb +
pg_ctl as postgres, loopback TCP, private socket directory) with the
server's durable defaults, sets up the roles of docs/FLEET.md, enrolls N
users through the public C API as a host, runs the same PAM driver as the
file-store benchmark, and stops the server by PID whatever happens.

  pg_bench.py --top build/bench --results FILE [--quick]

Transports, each a host config and PAM service (label pg-X@N):
  tcp    host=127.0.0.1 sslmode=disable (plain TCP), role bench_host, trust
  unix   host=<private socket dir>, role bench_host, trust
  tls    host=127.0.0.1 sslmode=verify-full + client certificate, role
         bench_tls, `hostssl ... cert` (the conninfo of docs/FLEET.md)
Baseline from the same run: the file store (state-1000), label file@N.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(ROOT, "tests", "postgresql"))
import pg_server  # noqa: E402

N = 1000


class Bench:
    def __init__(self, a):
        self.a, self.top = a, a.top
        self.bin = os.path.join(a.top, "bin")
        build = os.path.join(a.top, "chorus")
        self.so = os.path.join(build, "pam_chorus", "pam_chorus.so")
        self.ctl = os.path.join(build, "tools", "chorusctl")
        self.plugin = os.path.join(build, "libchorusauth", "store", "postgresql", "store-postgresql.so")
        self.run_dir = os.path.join(a.top, "pg-run")
        self.pamd = os.path.join(self.run_dir, "pam.d")
        self.used = {}  # store -> (time step, users with a correct login in it)
        self.out = open(a.results, "a", encoding="utf-8")

    # ---- output
    def emit(self, text):
        for line in text.splitlines():
            print(line, flush=True)
            self.out.write(line + "\n")
        self.out.flush()

    def call(self, *argv):
        r = subprocess.run(list(argv), stdout=subprocess.PIPE, text=True, check=True)
        self.emit(r.stdout.rstrip("\n"))
        return r.stdout

    # ---- setup
    def write(self, path, text, mode=0o600):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w") as f:
            f.write(text)
        os.chmod(path, mode)

    def tls_files(self, pg):
        """A CA, a server certificate for IP 127.0.0.1 and a client
        certificate for bench_tls, like a fleet's (RSA 2048)."""
        d = os.path.join(pg.top, "tls")
        os.mkdir(d, 0o700)
        ossl = lambda *argv: subprocess.run(["openssl"] + list(argv), check=True, capture_output=True, cwd=d)  # noqa
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=chorus-bench-ca")
        for name, cn, ext in (("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1"), ("client", "bench_tls", "")):
            ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", "/CN=" + cn)
            extra = ["-extfile", "/dev/stdin"] if ext else []
            subprocess.run(["openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                            "-CAcreateserial", "-days", "2", "-out", name + ".crt"] + extra,
                           input=ext.encode(), check=True, capture_output=True, cwd=d)
        uid = pg_server.Server.uid()
        for f in ("ca.key", "server.key", "client.key"):
            os.chmod(os.path.join(d, f), 0o600)  # libpq and the server refuse looser keys
        for f in ("ca.crt", "server.crt", "server.key"):
            os.chown(os.path.join(d, f), uid, -1)
        os.chown(d, uid, -1)
        os.chmod(d, 0o711)
        pg.settings.update({"ssl": "on", "ssl_cert_file": d + "/server.crt", "ssl_key_file": d + "/server.key",
                            "ssl_ca_file": d + "/ca.crt"})
        return d

    def setup(self, pg):
        tls = self.tls_files(pg)
        pg.init()
        self.emit("# server: " + pg.psql("SELECT version()"))
        self.emit("# settings: " + pg.psql("SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM "
                                           "pg_settings WHERE name IN ('fsync', 'synchronous_commit', "
                                           "'shared_buffers', 'wal_sync_method', 'max_connections', 'ssl')"))
        # docs/FLEET.md: an owner for db init, chorus_host, login roles per host.
        pg.psql("CREATE ROLE chorus_admin LOGIN; GRANT CREATE ON DATABASE chorus TO chorus_admin; "
                "CREATE ROLE chorus_host NOLOGIN; "
                "CREATE ROLE bench_host LOGIN IN ROLE chorus_host; CREATE ROLE bench_tls LOGIN IN ROLE chorus_host")
        hba = os.path.join(pg.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:  # first match wins: bench_tls only with its certificate
            f.write("hostssl chorus bench_tls 127.0.0.1/32 cert\nhost all bench_tls 0.0.0.0/0 reject\n" + rules)
        pg.psql("SELECT pg_reload_conf()")
        os.makedirs(self.pamd, 0o755)
        key = os.path.join(self.run_dir, "fleet.key")
        self.write(key, os.urandom(32).hex() + "\n")
        tcp = "host=127.0.0.1 port=%d dbname=chorus" % pg.port
        conn = {"owner": tcp + " user=chorus_admin",
                "tcp": tcp + " user=bench_host sslmode=disable",
                "unix": "host=%s port=%d dbname=chorus user=bench_host" % (pg.sock, pg.port),
                "tls": tcp + " user=bench_tls sslmode=verify-full sslrootcert=%s/ca.crt sslcert=%s/client.crt "
                             "sslkey=%s/client.key" % (tls, tls, tls)}
        self.conninfo = conn
        for name, ci in conn.items():
            d = self.cfg(name)
            os.mkdir(d, 0o700)
            os.mkdir(os.path.join(d, "state"), 0o700)
            self.write(os.path.join(d, "chorus.yaml"),
                       "store:\n  backend: postgresql\n  path: %s/state\n  conninfo: \"%s\"\n  seal_key_file: %s\n"
                       "  plugin: %s\nlockout:\n  max_failures: 100\n" % (d, ci, key, self.plugin))
            self.write(os.path.join(self.pamd, "bench-pg-" + name),
                       "auth required %s config=%s/chorus.yaml\n" % (self.so, d), 0o644)
        self.chorusctl("owner", "db", "init")
        t0 = time.monotonic()
        half = N // 2
        procs = [subprocess.Popen([os.path.join(self.bin, "bench_setup"), "enroll", self.cfg("tcp"), str(lo), str(hi)])
                 for lo, hi in ((0, half), (half, N))]
        if any(p.wait() != 0 for p in procs):
            raise RuntimeError("enrollment failed")
        self.emit("RESULT label=pg-tcp@%d case=enroll n=%d total_s=%.3f" % (N, N, time.monotonic() - t0))
        out = self.chorusctl("tcp", "db", "status")
        if "users: %d" % N not in out:
            raise RuntimeError("db status after enrollment: " + out)

    def cfg(self, name):
        return os.path.join(self.run_dir, "cfg-" + name)

    def chorusctl(self, name, *argv):
        return subprocess.run([self.ctl, "--config", os.path.join(self.cfg(name), "chorus.yaml")] + list(argv) +
                              ["--plugin", self.plugin], check=True, capture_output=True, text=True).stdout

    # ---- phases
    def driver(self, transport, mode, users, *args):
        """One pam_driver run. Every correct code must be new: if one of
        `users` of this store had a correct login in the current time step,
        wait for the next step first."""
        store = "file" if transport == "file" else "pg"
        step, used = self.used.get(store, (0, set()))
        if used & set(users):
            while int(time.time()) // 30 <= step:
                time.sleep(0.5)
        if transport == "file":
            svc, label, confdir = "bench-chorus", "file@%d" % N, os.path.join(self.top, "state-%d" % N, "pam.d")
        else:
            svc, label, confdir = "bench-pg-" + transport, "pg-%s@%d" % (transport, N), self.pamd
        out = self.call(os.path.join(self.bin, "pam_driver"), svc, confdir, label, mode, *[str(x) for x in args])
        now = int(time.time()) // 30
        self.used[store] = (now, (used if now == step else set()) | set(users))
        return out

    def probe(self, transport, count):
        self.call(os.path.join(self.bin, "pg_probe"), "pg-%s@%d" % (transport, N), self.conninfo[transport],
                  "bench%06d" % (N - 2), str(count))

    def same_user(self, transport):
        user = N - 1
        out = self.driver(transport, "same", [user], user, 50)
        ok = int(re.search(r" ok=(\d+)", out).group(1))
        st = subprocess.run([os.path.join(self.bin, "bench_setup"), "status", self.cfg(transport),
                             "bench%06d" % user], check=True, capture_output=True, text=True).stdout.strip()
        self.emit("RESULT label=pg-%s@%d case=same_user_status %s" % (transport, N, st))
        if ok != 1:
            raise AssertionError("50 processes, one code: %d succeeded, exactly 1 must" % ok)

    def run(self):
        q = self.a.quick
        seq, fresh, par, probes = (300, 100, 120, 50) if q else (N, 300, 240, 300)
        cases = "correct,replay,wrong,unknown"
        print("== PostgreSQL store: the disk floor (the WAL flush of a commit is one fdatasync)", file=sys.stderr)
        self.call(os.path.join(self.bin, "io_floor"), self.run_dir, "100")
        print("== PostgreSQL store: per login, one process", file=sys.stderr)
        for t in ("tcp", "unix", "tls", "file"):
            self.driver(t, "seq", range(seq), 0, 1, seq, cases)
        print("== PostgreSQL store: every login in a new process (as sshd)", file=sys.stderr)
        for k, t in enumerate(("tcp", "unix", "tls", "file")):
            first = (k % 3) * fresh  # distinct users per transport: no wait for a new step
            self.driver(t, "fresh", range(first, first + fresh), first, 1, fresh, "correct,wrong")
        print("== PostgreSQL store: parallel processes on distinct users", file=sys.stderr)
        for t in ("tcp",) if q else ("tcp", "unix"):
            for k, p in enumerate((1, 2, 4, 8)):
                self.driver(t, "par", range(k * par, (k + 1) * par), k * par, 1, par, p)
        print("== PostgreSQL store: 50 processes, one user, one code", file=sys.stderr)
        self.same_user("tcp")
        print("== PostgreSQL store: where a login's time goes (libpq probe)", file=sys.stderr)
        for t in ("tcp", "unix", "tls"):
            self.probe(t, probes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if pg_server.find_bindir() is None:
        print("pg_bench: no PostgreSQL server binaries (apt-get install postgresql)", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    b = Bench(a)
    shutil.rmtree(b.run_dir, ignore_errors=True)
    os.mkdir(b.run_dir, 0o711)
    os.chmod(b.run_dir, 0o711)
    pg = pg_server.Server(b.run_dir, settings={})  # the server's defaults: fsync, synchronous_commit on
    try:
        b.setup(pg)
        b.run()
    except BaseException:
        log = os.path.join(pg.top, "log")
        if os.path.exists(log):
            sys.stderr.write("---- server log (tail) ----\n" + open(log).read()[-3000:])
        raise
    finally:
        pg.stop()  # pg_ctl stop, then the postmaster by PID
    return 0


if __name__ == "__main__":
    sys.exit(main())
