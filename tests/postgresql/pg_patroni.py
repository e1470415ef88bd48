# SPDX-License-Identifier: BSD-2-Clause
"""Failover in a Patroni cluster (issue 13): Debian's etcd-server (one
member) and two Patroni nodes (Debian's patroni) in synchronous mode, all
on loopback ports, started by the test as the postgres user and stopped by
PID. The leader is killed mid-run (Patroni and its PostgreSQL, SIGKILL);
what was accepted before stays spent after Patroni promotes the replica.
Run through pg_test.py (case name below)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pg_server


def wait_for(what, check, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("timed out waiting for " + what)


def http_status(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


class Proc:
    """A process started as postgres in its own process group, killed by PID."""

    def __init__(self, env, argv, log):
        self.log = log
        out = open(log, "w")
        self.p = subprocess.Popen(["runuser", "-u", "postgres", "--"] + argv, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True, cwd=os.path.dirname(log))
        env.cleanups.append(self.kill)

    def kill(self):
        try:
            os.killpg(self.p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.p.wait()


class Cluster:
    def __init__(self, env):
        self.top = os.path.join(env.top, "patroni")
        os.mkdir(self.top, 0o700)
        os.chown(self.top, pg_server.Server.uid(), -1)
        # Patroni's PostgreSQL runs in a session of its own: whatever still
        # runs from this directory is stopped last (the path is unique).
        env.cleanups.append(lambda: subprocess.run(["pkill", "-KILL", "-f", self.top], check=False))
        client, peer = pg_server.free_port(), pg_server.free_port()
        etcd_dir = os.path.join(self.top, "etcd")
        self.etcd = Proc(env, ["etcd", "--name", "e1", "--data-dir", etcd_dir,
                               "--listen-client-urls", "http://127.0.0.1:%d" % client,
                               "--advertise-client-urls", "http://127.0.0.1:%d" % client,
                               "--listen-peer-urls", "http://127.0.0.1:%d" % peer,
                               "--initial-advertise-peer-urls", "http://127.0.0.1:%d" % peer,
                               "--initial-cluster", "e1=http://127.0.0.1:%d" % peer],
                         os.path.join(self.top, "etcd.log"))
        wait_for("etcd", lambda: http_status(client, "/health") == 200)
        self.nodes = []
        for name in ("node1", "node2"):
            self.nodes.append(self.node(env, name, client))
            if name == "node1":
                wait_for("a leader", lambda: http_status(self.nodes[0]["api"], "/leader") == 200, 90)

    def node(self, env, name, etcd_port):
        pg_port, api = pg_server.free_port(), pg_server.free_port()
        sock = os.path.join(self.top, name + "-sock")
        os.mkdir(sock, 0o700)
        os.chown(sock, pg_server.Server.uid(), -1)
        config = {
            "scope": "chorus-test", "name": name,
            "restapi": {"listen": "127.0.0.1:%d" % api, "connect_address": "127.0.0.1:%d" % api},
            "etcd3": {"hosts": "127.0.0.1:%d" % etcd_port},
            "bootstrap": {
                "dcs": {"ttl": 10, "loop_wait": 1, "retry_timeout": 4, "synchronous_mode": True,
                        "postgresql": {"parameters": {"fsync": "off"}}},
                "initdb": [{"encoding": "UTF8"}, {"auth": "trust"}],
                "pg_hba": ["local all all trust", "host all all 127.0.0.1/32 trust",
                           "host replication all 127.0.0.1/32 trust"]},
            "postgresql": {
                "listen": "127.0.0.1:%d" % pg_port, "connect_address": "127.0.0.1:%d" % pg_port,
                "data_dir": os.path.join(self.top, name), "bin_dir": pg_server.find_bindir(),
                "pgpass": os.path.join(self.top, name + ".pgpass"),
                "authentication": {"replication": {"username": "postgres"},
                                   "superuser": {"username": "postgres"}},
                "basebackup": [{"checkpoint": "fast"}],
                "parameters": {"unix_socket_directories": sock}},
        }
        path = os.path.join(self.top, name + ".yml")
        with open(path, "w") as f:
            json.dump(config, f)  # JSON is YAML
        os.chown(path, pg_server.Server.uid(), -1)
        proc = Proc(env, ["patroni", path], os.path.join(self.top, name + ".log"))
        return {"name": name, "port": pg_port, "api": api, "proc": proc, "sock": sock}

    def psql(self, node, sql, db="postgres"):
        return subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(pg_server.find_bindir(), "psql"),
                               "-h", node["sock"], "-p", str(node["port"]), "-U", "postgres", "-d", db, "-At",
                               "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True,
                              text=True).stdout.strip()

    def logs(self):
        out = ""
        for name in ("etcd", "node1", "node2"):
            path = os.path.join(self.top, name + ".log")
            if os.path.exists(path):
                out += "---- %s ----\n%s\n" % (name, open(path).read()[-3000:])
        return out


def case_failover_patroni(env):
    from pg_test import RC_BAD_CODE, RC_LOCKED, RC_OK, RC_REPLAY, expect, totp, wrong  # noqa: pg_test's
    if shutil.which("patroni") is None or shutil.which("etcd") is None:
        print("SKIP: patroni or etcd not installed")
        sys.exit(77)
    c = Cluster(env)
    try:
        leader, replica = c.nodes
        c.psql(leader, "CREATE DATABASE chorus")
        c.psql(leader, "CREATE ROLE chorus_admin LOGIN; GRANT CREATE ON DATABASE chorus TO chorus_admin; "
                       "CREATE ROLE chorus_host NOLOGIN; CREATE ROLE host_a LOGIN IN ROLE chorus_host; "
                       "CREATE ROLE host_b LOGIN IN ROLE chorus_host")
        wait_for("a synchronous replica", lambda: http_status(replica["api"], "/sync") == 200, 90)
        both = ("host=127.0.0.1,127.0.0.1 port=%d,%d dbname=chorus user=%%s target_session_attrs=read-write"
                % (leader["port"], replica["port"]))
        owner = env.config("O", conninfo=both % "chorus_admin")
        env.plugin_ctl(owner, "db", "init")
        out = env.plugin_ctl(owner, "db", "status").stdout
        assert "replication: synchronous" in out, out
        a = env.config("A", conninfo=both % "host_a")
        b = env.config("B", conninfo=both % "host_b")
        env.enroll(a, "alice")
        env.enroll(a, "bob")
        spent = env.ctl(a, "recovery-codes", "alice").stdout.split()[0]
        code = totp()
        expect(env.verify(a, "alice", code), RC_OK, "code accepted before the failover")
        expect(env.verify(b, "alice", spent), RC_OK, "recovery code spent before the failover")
        for _ in range(5):
            env.verify(a, "bob", wrong(totp()))
        expect(env.verify(b, "bob", totp()), RC_LOCKED, "bob locked before the failover")

        leader["proc"].kill()  # Patroni and its PostgreSQL, no clean shutdown
        subprocess.run(["pkill", "-KILL", "-f", os.path.join(c.top, leader["name"])], check=False)
        rc = env.verify(a, "alice", totp(1))
        assert rc != RC_OK, "a login during the switch: %d" % rc
        wait_for("the replica promoted", lambda: http_status(replica["api"], "/primary") == 200, 90)
        wait_for("the new primary writable", lambda: c.psql(replica, "SELECT pg_is_in_recovery()") == "f")

        expect(env.verify(b, "alice", code), RC_REPLAY, "the code accepted before the failover, after it")
        expect(env.verify(a, "alice", spent), RC_BAD_CODE, "the spent recovery code stays spent")
        expect(env.verify(a, "bob", totp()), RC_LOCKED, "the lockout survives")
        expect(env.verify(b, "alice", totp(1)), RC_OK, "logins resume on the new primary")
    except Exception:
        sys.stderr.write(c.logs())
        raise
