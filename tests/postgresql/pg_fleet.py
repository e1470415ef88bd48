# SPDX-License-Identifier: BSD-2-Clause
"""The fleet store as deployed (issue 13): behind PgBouncer in transaction
and session mode, one connection and four calls per login, every pooler and
server error classified, and hosts one schema version behind. Run through
pg_test.py (case names below)."""
import concurrent.futures
import os
import re
import subprocess
import time

import pg_pooler


def pooled_fleet(env, mode, pool_size=2, extra=None):
    """The fleet's database behind a PgBouncer in `mode`; host A and B reach
    it through the pooler (as thousands of hosts would)."""
    env.pg.init()
    env.plugin_ctl(env.roles(), "db", "init")
    pooler = pg_pooler.Pooler(env.top, env.pg, mode, ["host_a", "host_b", "postgres"], pool_size, extra)
    env.cleanups.append(pooler.stop)
    pooler.start()
    a = env.config("A", conninfo=pooler.conninfo("host_a"))
    b = env.config("B", conninfo=pooler.conninfo("host_b"))
    return a, b, pooler


def fleet_scenario(env, a, b):
    """Replay refused across hosts, failures counted across hosts, a lockout
    seen everywhere, one code among concurrent logins accepted once."""
    from pg_test import RC_BAD_CODE, RC_LOCKED, RC_OK, RC_REPLAY, expect, totp, wrong  # noqa: pg_test's
    env.enroll(a, "bob")
    code = totp()
    expect(env.verify(a, "bob", code), RC_OK, "first use on A")
    expect(env.verify(b, "bob", code), RC_REPLAY, "same code on B")
    env.enroll(a, "carol")
    bad = wrong(totp())
    for cfg in (a, b, a, b):
        expect(env.verify(cfg, "carol", bad), RC_BAD_CODE, "failure")
    expect(env.status(a, "carol")["failures"], 4, "failures counted across hosts")
    expect(env.verify(b, "carol", bad), RC_LOCKED, "fifth failure locks")
    expect(env.verify(a, "carol", totp()), RC_LOCKED, "right code while locked")
    env.enroll(a, "dave")
    code = totp()
    n = 30
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        rcs = list(ex.map(lambda i: env.verify(a if i % 2 else b, "dave", code), range(n)))
    expect(rcs.count(RC_OK), 1, "logins accepted with one code (%r)" % rcs)
    assert all(rc in (RC_OK, RC_REPLAY, RC_LOCKED) for rc in rcs), rcs
    # Every refusal counted: 29 failures with max_failures 5 lock the user.
    st = env.status(a, "dave")
    assert st["locked"] and st["failures"] >= 5, st


def case_pgbouncer_transaction(env):
    """Transaction pooling, two server connections for every host: no
    session state leaks (no lock, no SET), so the guarantees hold."""
    a, b, pooler = pooled_fleet(env, "transaction")
    fleet_scenario(env, a, b)
    # The pool, not the hosts or the concurrent logins, bounds the server side.
    used = int(env.pg.psql("SELECT count(*) FROM pg_stat_activity WHERE usename IN ('host_a', 'host_b')"))
    assert used <= 4, "server connections of the host roles: %d" % used


def case_pgbouncer_session(env):
    a, b, pooler = pooled_fleet(env, "session", pool_size=40)
    fleet_scenario(env, a, b)


def case_round_trips(env):
    """One PAM handle's login (the auth stage with a code, then the account
    stage) makes one connection and four calls: the check before the prompt,
    the verify (a read and a write: two round trips), the account stage's
    read. No SET, no lock, nothing else."""
    from pg_test import expect, totp  # noqa: pg_test's
    env.pg.settings.update({"log_statement": "all", "log_connections": "on", "log_line_prefix": "u=%u/"})
    a, b = env.fleet()
    env.enroll(a, "daemon")  # a real account: the login stages look it up
    log = os.path.join(env.pg.top, "log")
    with open(log) as f:
        start = len(f.read())
    r = subprocess.run([env.a.helper, "login", a, "daemon", totp()], capture_output=True, text=True, timeout=60)
    expect(r.stdout.split(), ["auth=0", "result=1", "account=0"], "login (%s)" % r.stderr)
    with open(log) as f:
        text = f.read()[start:]
    expect(len(re.findall(r"connection authorized: user=host_a", text)), 1, "connections per login")
    calls = re.findall(r"^u=host_a/LOG:  (?:statement|execute [^:]*): (.*)$", text, re.M)
    names = [re.search(r"chorus\.(\w+)\(", c).group(1) if "chorus." in c else c for c in calls]
    expect(names, ["user_read", "user_read", "user_write", "user_read"], "calls of one login")


def case_errors_classified(env):
    """Each pooler and server refusal is an error, never the outage that
    failmode's doors are for (the refused rc is -4, an outage -21)."""
    from pg_test import RC_IO, RC_OK, expect, totp  # noqa: pg_test's
    rc_busy = -19
    a, b = env.fleet()
    env.enroll(a, "erin")
    # A read-only server (a standby, or a failover under way): the write is refused.
    env.pg.psql("ALTER ROLE host_b SET default_transaction_read_only = on")
    expect(env.verify(b, "erin", totp()), RC_IO, "read-only server")
    env.pg.psql("ALTER ROLE host_b RESET default_transaction_read_only")
    expect(env.verify(b, "erin", totp()), RC_OK, "the same host once the server is writable")
    # The server is full: it answered, so it is no outage.
    env.pg.psql("ALTER ROLE host_a CONNECTION LIMIT 0")
    expect(env.verify(a, "erin", totp(1)), RC_IO, "too many connections for the role")
    env.pg.psql("ALTER ROLE host_a CONNECTION LIMIT -1")
    # The pooler has no server connection free in time (query_wait_timeout):
    # one client holds the only one (session mode), the next waits, gives up.
    # server_login_retry 1: after a failed server login PgBouncer answers
    # "server login has been failing" for that long. That text is no outage
    # report (a server refusing the role says it too), so it denies without
    # failmode; the case below waits it out to see the pooler's own report.
    pooler = pg_pooler.Pooler(env.top, env.pg, "session", ["host_a", "host_b"], 1,
                              {"query_wait_timeout": "2", "server_login_retry": "1"})
    env.cleanups.append(pooler.stop)
    pooler.start()
    held = subprocess.Popen(["runuser", "-u", "postgres", "--", os.path.join(env.pg.bindir, "psql"), "-h",
                             "127.0.0.1", "-p", str(pooler.port), "-U", "host_a", "-d", "chorus", "-c",
                             "SELECT pg_sleep(6)"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        via = env.config("W", conninfo=pooler.conninfo("host_a"))
        expect(env.verify(via, "erin", totp(1)), rc_busy, "pool wait timeout")
    finally:
        held.kill()
        held.wait()
    # The pooler cannot reach the server: that is the outage.
    env.pg.stop()
    time.sleep(1.5)  # past any server_login_retry window the stop itself opened
    via = env.config("W", conninfo=pooler.conninfo("host_b"))
    from pg_test import RC_UNAVAILABLE  # noqa: pg_test's
    expect(env.verify(via, "erin", totp(1)), RC_UNAVAILABLE, "pooler without a server")


def case_rolling_upgrade(env):
    """Hosts one schema version behind keep working while the database is
    migrated: version 2's calls (session lock, user_get, user_put_live) still
    work on a version 3 database, and serialise with version 3's writes; a
    host refuses a database older than it needs and works with a newer one."""
    from pg_test import RC_BAD_CODE, RC_OK, RC_REPLAY, expect, migration_sql, totp, wrong  # noqa: pg_test's
    a, b = env.fleet()
    env.enroll(a, "fay")
    as_a = lambda sql: env.pg.psql(sql, user="host_a")  # noqa: E731
    # A version 2 host's login: its session lock, its read, its write.
    v = as_a("SELECT version FROM chorus.user_get('fay')")
    step = int(as_a("SELECT floor(extract(epoch FROM clock_timestamp()) / 30)::bigint"))
    expect(as_a("SELECT pg_advisory_lock(1128812370, hashtext('fay')); "
                "SELECT count(*) FROM chorus.user_put_live('fay', %d, 0, 0, 0, 0, 0, %s); "
                "SELECT pg_advisory_unlock(1128812370, hashtext('fay'))" % (step, v)).splitlines()[-2], "1",
           "version 2 write on a version 3 database")
    expect(env.verify(b, "fay", totp()), RC_REPLAY, "the step the old host accepted is spent for the new")
    expect(env.verify(b, "fay", totp(1)), RC_OK, "new host logs in")
    # A database one version behind the host: refused with the fix named.
    env.pg.psql("DROP FUNCTION chorus.user_write(text, bigint, boolean, text, boolean, bigint, integer, bigint, "
                "bigint, bigint, bigint); DROP FUNCTION chorus.user_read(text); "
                "DELETE FROM chorus.schema_version WHERE version = 3")
    r = subprocess.run([env.a.helper, "verify", a, "fay", totp(1)], capture_output=True, text=True, timeout=60)
    assert "rc=-3" in r.stdout and "chorusctl db migrate" in r.stderr, (r.stdout, r.stderr)
    desc, sql = migration_sql(3)
    env.pg.psql("%s;\nINSERT INTO chorus.schema_version (version, description) VALUES (3, '%s')" % (sql, desc),
                user="chorus_admin")
    # A database a version ahead (a later migration ran first): still served.
    env.pg.psql("INSERT INTO chorus.schema_version (version, description) VALUES (4, 'a later chorus')")
    failures = env.status(a, "fay")["failures"]
    expect(env.verify(a, "fay", wrong(totp())), RC_BAD_CODE, "host on a newer database: a wrong code counted")
    expect(env.status(b, "fay")["failures"], failures + 1, "the failure written")


def case_server_hangs(env):
    """A server that took the statement and went silent (stopped, not gone):
    after the client's deadline the connection is dropped and the login
    refused as busy, not as an outage; the next login
    connects again."""
    import signal
    from pg_test import RC_OK, expect, totp, wrong  # noqa: pg_test's
    rc_busy = -19
    a, b = env.fleet()
    env.enroll(a, "hugo")
    p = subprocess.Popen([env.a.helper, "serve", a], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    env.cleanups.append(p.kill)

    def ask(code):
        p.stdin.write("hugo %s\n" % code)
        p.stdin.flush()
        return int(p.stdout.readline().split("=")[1])
    expect(ask(wrong(totp())), -9, "a wrong code, connected")
    procs = [env.pg.pid] + [int(x) for x in subprocess.run(["pgrep", "-P", str(env.pg.pid)], capture_output=True,
                                                           text=True).stdout.split()]
    assert procs, "no server processes found"
    for pid in procs:
        os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        expect(ask(totp()), rc_busy, "a login while the server hangs")
        took = time.monotonic() - start
        assert 14 <= took <= 40, "gave up after %.1f s" % took
    finally:
        for pid in procs:
            os.kill(pid, signal.SIGCONT)
    expect(ask(totp()), RC_OK, "the next login connects again")
    p.stdin.close()
    p.wait(timeout=30)
