# SPDX-License-Identifier: BSD-2-Clause
"""Failover with a synchronous standby (issue 13): a primary and a standby
started by the test (streaming replication, synchronous_standby_names),
hosts with a two-host conninfo and target_session_attrs=read-write. The
primary is killed mid-run; what was accepted before stays spent after the
standby is promoted, logins during the switch are refused cleanly, and they
resume. Run through pg_test.py (case names below)."""
import os
import subprocess
import time

import pg_server


def wait_for(what, check, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def start_standby(env, primary):
    """A standby of primary, made by pg_basebackup -R, on its own port."""
    standby = pg_server.Server(os.path.join(env.top, "standby"), settings=dict(primary.settings))
    env.cleanups.append(standby.kill)
    standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", "-D", standby.data,
                "-R", "-X", "stream", "-c", "fast", "--no-sync")
    standby.start()
    return standby


def case_failover_sync_standby(env):
    from pg_test import RC_BAD_CODE, RC_IO, RC_LOCKED, RC_OK, RC_REPLAY, expect, totp, wrong  # noqa: pg_test's
    os.mkdir(os.path.join(env.top, "standby"), 0o711)
    env.pg.init()
    owner = env.roles()
    env.plugin_ctl(owner, "db", "init")
    out = env.plugin_ctl(owner, "db", "status").stdout
    assert "warning: a failover to a standby can lose" in out, out
    standby = start_standby(env, env.pg)
    # Synchronous once the standby streams (before, every commit would wait).
    env.pg.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
    env.pg.psql("SELECT pg_reload_conf()")
    wait_for("a synchronous standby", lambda: env.pg.psql(
        "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == "1")
    both = ("host=127.0.0.1,127.0.0.1 port=%d,%d dbname=chorus user=%%s target_session_attrs=read-write"
            % (env.pg.port, standby.port))
    a = env.config("A", conninfo=both % "host_a")
    b = env.config("B", conninfo=both % "host_b")
    # Several hosts without target_session_attrs: refused, writes must find the primary.
    loose = env.config("L", conninfo=both.replace(" target_session_attrs=read-write", "") % "host_a")
    r = subprocess.run([env.a.helper, "verify", loose, "x", "123456"], capture_output=True, text=True, timeout=60)
    assert "=-3" in r.stdout and "target_session_attrs=read-write" in r.stderr, (r.stdout, r.stderr)
    out = env.plugin_ctl(owner, "db", "status").stdout
    assert "replication: synchronous" in out, out

    env.enroll(a, "alice")
    env.enroll(a, "bob")
    codes = env.ctl(a, "recovery-codes", "alice").stdout.split()
    spent = next(c for c in codes if "-" in c or len(c) >= 8)
    code = totp()
    expect(env.verify(a, "alice", code), RC_OK, "code accepted before the failover")
    expect(env.verify(b, "alice", spent), RC_OK, "recovery code spent before the failover")
    for _ in range(5):
        env.verify(a, "bob", wrong(totp()))
    expect(env.verify(b, "bob", totp()), RC_LOCKED, "bob locked before the failover")

    env.pg.kill()  # the primary dies (SIGQUIT, then SIGKILL): no clean shutdown
    # The switch: only a standby answers. Refused, not an outage.
    expect(env.verify(a, "alice", totp(1)), RC_IO, "a login during the switch")
    standby.run("pg_ctl", "-D", standby.data, "-w", "promote")
    wait_for("the promoted standby", lambda: standby.psql("SELECT pg_is_in_recovery()") == "f")

    expect(env.verify(b, "alice", code), RC_REPLAY, "the code accepted before the failover, after it")
    expect(env.verify(a, "alice", spent), RC_BAD_CODE, "the spent recovery code stays spent")
    expect(env.verify(a, "bob", totp()), RC_LOCKED, "the lockout survives")
    expect(env.verify(b, "alice", totp(1)), RC_OK, "logins resume on the new primary")
    st = env.status(a, "bob")
    assert st["locked"] and st["failures"] >= 5, st
