#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The fleet simulation of scripts/bench (issue 13; docs/PERFORMANCE.md,
"Fleet simulation"): HOSTS simulated hosts, each its own process
(pg_helper serve: one library context, as a long-lived login process
keeps), log users in concurrently through a PgBouncer in transaction mode
to one PostgreSQL server with its durable defaults. Each host logs in as
one of ROLES database roles (default: a role per host; fewer roles stand
for a role per host group, which PgBouncer pools per role). All started
here on loopback and stopped by PID.

  fleet_sim.py --top build/bench --results FILE [--hosts 200] [--roles N] [--rate R] [--seconds 20]
               [--users 4000]

Reports logins/s, p50/p99 latency (a request written to the host's process
until its answer), the most server connections the host roles held, the
failures; then two checks across every host at once: one code for one user
(exactly one success), and one wrong code from each host for one user
(every failure counted).
"""
import argparse
import hashlib
import hmac
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tests", "postgresql"))
import pg_pooler  # noqa: E402
import pg_server  # noqa: E402

M64 = (1 << 64) - 1


def user_key(index):
    """bench/bench_otp.c bench_user_key(), in Python."""
    s = 0xC0DE5EED ^ ((index << 20) & M64)
    out = b""
    for _ in range(5):
        s = (s + 0x9E3779B97F4A7C15) & M64
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        out += struct.pack("<Q", z ^ (z >> 31))[:4]
    return out


def totp(key, step):
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


class Host:
    """One simulated host: its config, its pg_helper serve process."""

    def __init__(self, helper, cfg):
        self.p = subprocess.Popen([helper, "serve", cfg], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def verify(self, user, code):
        self.p.stdin.write("%s %s\n" % (user, code))
        self.p.stdin.flush()
        return int(self.p.stdout.readline().split("=")[1])

    def stop(self):
        self.p.kill()
        self.p.wait()


class Sim:
    def __init__(self, a):
        self.a = a
        self.run = os.path.join(a.top, "fleet-run")
        shutil.rmtree(self.run, ignore_errors=True)
        os.makedirs(self.run, 0o711)
        self.bin = os.path.join(a.top, "bin")
        build = os.path.join(a.top, "chorus")
        self.ctl = os.path.join(build, "tools", "chorusctl")
        self.plugin = os.path.join(build, "libchorusauth", "store", "postgresql", "store-postgresql.so")
        self.key = os.path.join(self.run, "fleet.key")
        self.write(self.key, os.urandom(32).hex() + "\n")
        self.out = open(a.results, "a", encoding="utf-8")
        self.pg = self.pooler = None
        self.hosts = []

    def emit(self, line):
        print(line, flush=True)
        self.out.write(line + "\n")
        self.out.flush()

    @staticmethod
    def write(path, text, mode=0o600):
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w") as f:
            f.write(text)

    def config(self, name, conninfo):
        d = os.path.join(self.run, name)
        os.makedirs(d, 0o700, exist_ok=True)
        self.write(os.path.join(d, "chorus.yaml"),
                   "lockout: {max_failures: 1000, lock_seconds: 60, failure_window: 60}\n"
                   "store:\n  backend: postgresql\n  path: %s/state\n  seal_key_file: %s\n"
                   '  conninfo: "%s"\n  plugin: %s\n' % (d, self.key, conninfo, self.plugin))
        return d

    def setup(self):
        a = self.a
        self.pg = pg_server.Server(self.run, settings={})
        self.pg.init()
        roles = ["host_%03d" % i for i in range(a.roles or a.hosts)]
        sql = ("CREATE ROLE chorus_admin LOGIN; GRANT CREATE ON DATABASE chorus TO chorus_admin; "
               "CREATE ROLE chorus_host NOLOGIN; ")
        sql += "".join("CREATE ROLE %s LOGIN IN ROLE chorus_host; " % r for r in roles)
        self.pg.psql(sql)
        owner = self.config("owner", self.pg.conninfo("chorus_admin"))
        subprocess.run([self.ctl, "--config", owner + "/chorus.yaml", "db", "init", "--plugin", self.plugin],
                       check=True, capture_output=True)
        t0 = time.monotonic()
        # Users 0..users-1 for the throughput run, two more for the checks.
        subprocess.run([os.path.join(self.bin, "bench_setup"), "enroll", owner, "0", str(a.users + 2)], check=True)
        self.emit("RESULT label=fleet@%d case=enroll n=%d total_s=%.3f" % (a.hosts, a.users, time.monotonic() - t0))
        # Pools are per role; max_db_connections bounds the server side for all of them.
        # With fewer roles than the pool, each role's pool gets its share.
        self.pooler = pg_pooler.Pooler(self.run, self.pg, "transaction", roles,
                                       pool_size=max(1, a.pool // len(roles)),
                                       extra={"max_db_connections": str(a.pool), "max_client_conn": "2000",
                                              "query_wait_timeout": "30"})
        self.pooler.start()
        helper = os.path.join(self.bin, "pg_helper")
        for i in range(a.hosts):
            r = roles[i % len(roles)]
            # connect_timeout: PgBouncer answers a new role's first login only
            # once it has a server connection for that pool (its welcome).
            conninfo = self.pooler.conninfo(r) + " connect_timeout=10"
            self.hosts.append(Host(helper, self.config("host_%03d" % i, conninfo) + "/chorus.yaml"))

    def server_connections(self):
        return int(self.pg.psql("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'host\\_%'"))

    def throughput(self):
        a = self.a
        lat, rcs, lock = [], [], threading.Lock()
        nxt = [0]
        stop = time.monotonic() + a.seconds
        peak = [0]
        rng = random.Random(7)

        def sample():
            while time.monotonic() < stop:
                peak[0] = max(peak[0], self.server_connections())
                time.sleep(0.2)

        def work(h):
            # Closed loop (no --rate): the next login as soon as the last is
            # answered. Open loop (--rate): logins arrive at random (Poisson)
            # at rate/hosts per host, as users do, and each latency counts
            # from when its login was due, so a late answer also delays the
            # logins queued behind it in the measure.
            due = time.monotonic()
            while time.monotonic() < stop:
                if a.rate:
                    due += rng.expovariate(a.rate / len(self.hosts))
                    time.sleep(max(0.0, due - time.monotonic()))
                    if due >= stop:
                        break
                with lock:
                    i = nxt[0] % a.users
                    nxt[0] += 1
                code = totp(user_key(i), int(time.time()) // 30)
                t0 = due if a.rate else time.monotonic()
                rc = h.verify("bench%06d" % i, code)
                dt = time.monotonic() - t0
                with lock:
                    lat.append(dt)
                    rcs.append(rc)
        threads = [threading.Thread(target=work, args=(h,)) for h in self.hosts] + [threading.Thread(target=sample)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        lat.sort()
        ok = rcs.count(0)
        other = len(rcs) - ok - rcs.count(-10)  # replays of a user's code in the same step are expected
        codes = ",".join("%d:%d" % (c, rcs.count(c)) for c in sorted(set(rcs)))
        self.emit("RESULT label=fleet@%d case=throughput n=%d ok=%d replay=%d errors=%d per_s=%.1f p50_ms=%.2f "
                  "p99_ms=%.2f server_conns_max=%d pool=%d roles=%d rate=%s rcs=%s" %
                  (a.hosts, len(rcs), ok, rcs.count(-10), other, len(rcs) / wall, 1000 * lat[len(lat) // 2],
                   1000 * lat[(len(lat) * 99) // 100], peak[0], a.pool, a.roles or a.hosts,
                   a.rate or "closed", codes))

    def at_once(self, user_index, code_of):
        """Every host sends code_of(key, step) for one user at the same moment."""
        key = user_key(user_index)
        step = int(time.time()) // 30
        go = threading.Barrier(len(self.hosts))
        rcs = [None] * len(self.hosts)

        def one(k):
            go.wait()
            rcs[k] = self.hosts[k].verify("bench%06d" % user_index, code_of(key, step))
        threads = [threading.Thread(target=one, args=(k,)) for k in range(len(self.hosts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return rcs

    def checks(self):
        a = self.a
        time.sleep(31 - time.time() % 30)  # a fresh step: no user has used its code yet
        rcs = self.at_once(a.users, totp)  # a user no throughput login touched
        self.emit("RESULT label=fleet@%d case=one_code hosts=%d ok=%d replay=%d other=%d" %
                  (a.hosts, len(rcs), rcs.count(0), rcs.count(-10), len(rcs) - rcs.count(0) - rcs.count(-10)))
        wrong = lambda key, step: "%06d" % ((int(totp(key, step)) + 500000) % 1000000)  # noqa: E731
        rcs = self.at_once(a.users + 1, wrong)
        out = subprocess.run([self.ctl, "--config", self.run + "/owner/chorus.yaml", "status",
                              "bench%06d" % (a.users + 1), "--json"], capture_output=True, text=True).stdout
        failures = json.loads(out)["failures"]
        self.emit("RESULT label=fleet@%d case=failures_counted hosts=%d refused=%d counted=%d" %
                  (a.hosts, len(rcs), rcs.count(-9), failures))

    def close(self):
        for h in self.hosts:
            h.stop()
        if self.pooler:
            self.pooler.stop()
        if self.pg:
            self.pg.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--hosts", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--users", type=int, default=4000)
    ap.add_argument("--pool", type=int, default=10)
    ap.add_argument("--roles", type=int, default=0, help="database roles the hosts share (0: one per host)")
    ap.add_argument("--rate", type=float, default=0, help="logins per second in all (0: each host as fast as answered)")
    a = ap.parse_args()
    sim = Sim(a)
    try:
        sim.setup()
        sim.throughput()
        sim.checks()
    finally:
        sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
