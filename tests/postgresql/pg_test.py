#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The PostgreSQL fleet store (docs/FLEET.md) with a real server: two
"hosts" (two configs sharing conninfo and fleet key) log users in through
the public C API (pg_helper) and chorusctl. One case per run:

  pg_test.py --helper H --chorusctl C --plugin P CASE
"""
import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pg_failover  # noqa: E402
import pg_fleet  # noqa: E402
import pg_hostile_env  # noqa: E402
import pg_patroni  # noqa: E402
import pg_server  # noqa: E402
import pg_tls  # noqa: E402

SECRET = bytes.fromhex("3132333435363738393031323334353637383930c0ffee42")
SECRET_B32 = base64.b32encode(SECRET).decode().rstrip("=")
RC_OK, RC_IO, RC_BAD_CODE, RC_REPLAY, RC_LOCKED, RC_BUSY, RC_UNAVAILABLE = 0, -4, -9, -10, -11, -19, -21


def totp(offset=0, secret=SECRET):
    step = int(time.time()) // 30 + offset
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000)


def wrong(code):
    return "%06d" % ((int(code) + 500000) % 1000000)


class Env:
    def __init__(self, args, top):
        self.a, self.top = args, top
        self.pg = pg_server.Server(top)
        self.cleanups = []  # what a case started besides the server (poolers, standbys), stopped by PID
        self.etc = os.path.join(top, "etc")
        os.mkdir(self.etc, 0o700)
        self.key = os.path.join(self.etc, "fleet.key")
        with open(os.open(self.key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(os.urandom(32).hex() + "\n")

    def config(self, name, backend="postgresql", max_failures=5, extra="", user="postgres", conninfo=None):
        path = os.path.join(self.etc, name + ".yaml")
        state = os.path.join(self.top, "state-" + name)
        text = ("lockout: {max_failures: %d, lock_seconds: 900, failure_window: 900}\n"
                "store:\n  backend: %s\n  path: %s\n  seal_key_file: %s\n"
                % (max_failures, backend, state, self.key))
        if backend == "postgresql":
            text += '  conninfo: "%s"\n  plugin: %s\n' % (conninfo or self.pg.conninfo(user), self.a.plugin)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(text + extra)
        return path

    def ctl(self, cfg, *argv, check=True):
        r = subprocess.run([self.a.chorusctl, "--config", cfg] + list(argv), capture_output=True, text=True,
                           timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("chorusctl %s: %d\n%s%s" % (argv, r.returncode, r.stdout, r.stderr))
        return r

    def plugin_ctl(self, cfg, *argv, check=True):
        return self.ctl(cfg, *argv, "--plugin", self.a.plugin, check=check)

    def verify(self, cfg, user, code, prefix=()):
        r = subprocess.run(list(prefix) + [self.a.helper, "verify", cfg, user, code], capture_output=True, text=True,
                           timeout=60)
        m = re.search(r"rc=(-?\d+)", r.stdout)
        assert m, "pg_helper: %r %r" % (r.stdout, r.stderr)
        return int(m.group(1))

    def status(self, cfg, user):
        return json.loads(self.ctl(cfg, "status", user, "--json").stdout)

    def enroll(self, cfg, user):
        self.ctl(cfg, "enroll", user, "--secret", SECRET_B32)

    def roles(self):
        """The roles of docs/FLEET.md: an owner that may create the schema,
        chorus_host, and one login role per host, member of chorus_host."""
        self.pg.psql("CREATE ROLE chorus_admin LOGIN; GRANT CREATE ON DATABASE chorus TO chorus_admin; "
                     "CREATE ROLE chorus_host NOLOGIN; "
                     "CREATE ROLE host_a LOGIN IN ROLE chorus_host; CREATE ROLE host_b LOGIN IN ROLE chorus_host")
        return self.config("O", user="chorus_admin")

    def fleet(self):
        """Database up with the schema, created by the owner role; returns the
        configs of hosts A and B, which log in as host_a and host_b."""
        self.pg.init()
        self.plugin_ctl(self.roles(), "db", "init")
        return self.config("A", user="host_a"), self.config("B", user="host_b")


def expect(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


def case_db_commands(env):
    env.pg.init()
    a = env.config("A")
    r = env.plugin_ctl(a, "db", "status", check=False)
    expect(r.returncode, 1, "status before init")
    assert "db init" in r.stdout, r.stdout
    env.plugin_ctl(a, "db", "init")
    r = env.plugin_ctl(a, "db", "init", check=False)
    expect(r.returncode, 1, "second init")
    assert "db migrate" in r.stderr, r.stderr
    assert "already at version" in env.plugin_ctl(a, "db", "migrate").stdout
    out = env.plugin_ctl(a, "db", "status").stdout
    assert "up to date" in out and "users: 0" in out, out
    assert "schema version: 3" in out, out
    expect(env.pg.psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM chorus.schema_version"),
           "1,2,3", "schema_version")


def case_registration_shared(env):
    a, b = env.fleet()
    env.enroll(a, "alice")
    st = env.status(b, "alice")
    assert st["totp"] is not None, st
    expect(env.verify(b, "alice", totp()), RC_OK, "code on B after registration on A")
    expect(env.ctl(b, "list").stdout.split()[:1], ["alice"], "list on B")


def case_replay_across_hosts(env):
    a, b = env.fleet()
    env.enroll(a, "bob")
    code = totp()
    expect(env.verify(a, "bob", code), RC_OK, "first use on A")
    expect(env.verify(b, "bob", code), RC_REPLAY, "same code on B")
    expect(env.verify(a, "bob", code), RC_REPLAY, "same code on A again")
    expect(env.verify(b, "bob", totp(1)), RC_OK, "next step on B")


def case_fleet_lockout(env):
    a, b = env.fleet()
    env.enroll(a, "carol")
    bad = wrong(totp())
    for cfg in (a, b, a, b):
        expect(env.verify(cfg, "carol", bad), RC_BAD_CODE, "failure")
    expect(env.status(a, "carol")["failures"], 4, "failures counted across hosts")
    expect(env.verify(b, "carol", bad), RC_LOCKED, "fifth failure locks")
    expect(env.verify(a, "carol", totp()), RC_LOCKED, "right code while locked, host A")
    expect(env.status(a, "carol")["locked"], True, "locked seen on A")
    env.ctl(b, "unlock", "carol")
    st = env.status(a, "carol")
    expect((st["locked"], st["failures"]), (False, 0), "unlocked on B, seen on A")
    expect(env.verify(a, "carol", totp()), RC_OK, "login after unlock")


def case_database_clock(env):
    """Host A's clock is an hour behind (libfaketime): the fleet's time, the
    database's, still decides its TOTP step and the lockout it writes."""
    if shutil.which("faketime") is None:
        print("SKIP: faketime not installed")
        sys.exit(77)
    a, b = env.fleet()
    env.enroll(a, "gina")
    behind = ["faketime", "-f", "-1h"]
    seen = int(subprocess.run(behind + ["date", "+%s"], capture_output=True, text=True, check=True).stdout)
    assert abs(seen - (time.time() - 3600)) < 60, "faketime had no effect (%d)" % seen
    expect(env.verify(a, "gina", totp(), prefix=behind), RC_OK, "current code on a host an hour behind")
    bad = wrong(totp())
    rcs = [env.verify(a, "gina", bad, prefix=behind) for _ in range(5)]
    expect(rcs[-1], RC_LOCKED, "fifth failure on A locks (%r)" % rcs)
    # Written with A's own clock, the lock would have ended an hour ago.
    expect(env.verify(b, "gina", totp(1)), RC_LOCKED, "the lock holds on B")
    left = env.status(b, "gina")["lock_remaining"]
    assert 800 <= left <= 900, "lock_remaining on B: %d" % left


def case_several_apps_across_hosts(env):
    """A further app keeps its replay state in the record: a code of it used
    on A is refused on B, while the first app's code of the same step works."""
    a, b = env.fleet()
    env.enroll(a, "fay")
    tablet = bytes.fromhex("0badc0ffee0badc0ffee0badc0ffee0badc0ffee")
    env.ctl(a, "enroll", "fay", "--add", "--name", "tablet", "--secret",
            base64.b32encode(tablet).decode().rstrip("="))
    code = totp(secret=tablet)
    expect(env.verify(a, "fay", code), RC_OK, "the tablet's code on A")
    expect(env.verify(b, "fay", code), RC_REPLAY, "the tablet's code again on B")
    expect(env.verify(b, "fay", totp()), RC_OK, "the first app's code of the same step on B")
    expect(env.verify(a, "fay", totp(1, secret=tablet)), RC_OK, "the tablet's next step on A")
    dump = env.pg.psql("SELECT record FROM chorus.users")
    assert "tablet" in dump and tablet.hex() not in dump, "the tablet's key is not sealed in the database"


def case_concurrent_one_code(env):
    a, b = env.fleet()
    env.enroll(a, "dave")
    code = totp()
    n = 40
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        rcs = list(ex.map(lambda i: env.verify(a if i % 2 else b, "dave", code), range(n)))
    expect(rcs.count(RC_OK), 1, "logins accepted with one code (%r)" % rcs)
    # Every other login is denied: a replay, the lock the replays caused, or
    # (a writer that lost five rounds in a row under this crowd) busy.
    assert all(rc in (RC_OK, RC_REPLAY, RC_LOCKED, RC_BUSY) for rc in rcs), rcs


def case_database_down(env):
    env.pg.init()
    a = env.config("A", max_failures=1000)
    env.plugin_ctl(a, "db", "init")
    env.enroll(a, "erin")
    serve = subprocess.Popen([env.a.helper, "serve", a], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    bad = wrong(totp())

    def ask(code):
        serve.stdin.write("erin %s\n" % code)
        serve.stdin.flush()
        return int(serve.stdout.readline().strip().split("=")[1])

    try:
        counted = 0
        for _ in range(3):
            expect(ask(bad), RC_BAD_CODE, "failure before the outage")
            counted += 1
        env.pg.stop()
        expect(ask(bad), RC_UNAVAILABLE, "long-lived context, database down")
        expect(env.verify(a, "erin", totp()), RC_UNAVAILABLE, "new context, database down")
        r = subprocess.run([env.a.helper, "verify", a, "erin", totp()], capture_output=True, text=True)
        assert "state store unreachable (postgresql store: cannot connect" in r.stderr, r.stderr
        env.pg.start()
        for _ in range(2):
            expect(ask(bad), RC_BAD_CODE, "failure after the outage (reconnected)")
            counted += 1
        expect(env.status(a, "erin")["failures"], counted, "failure counter exact")
        expect(ask(totp()), RC_OK, "right code after the outage")
    finally:
        serve.stdin.close()
        serve.wait(timeout=30)


def case_refused_is_not_outage(env):
    """A server that answers and refuses this host (a role the DBA dropped)
    is an error, never "unreachable": failmode's doors must stay shut."""
    env.pg.init()
    env.plugin_ctl(env.config("O"), "db", "init")
    ghost = env.config("G", user="dropped_host")
    r = subprocess.run([env.a.helper, "verify", ghost, "ivan", totp()], capture_output=True, text=True, timeout=60)
    assert "rc=%d" % RC_IO in r.stdout, (r.stdout, r.stderr)
    assert "the database refused this host" in r.stderr and "dropped_host" in r.stderr, r.stderr


def case_dump_has_no_secret(env):
    a, _ = env.fleet()
    env.enroll(a, "frank")
    expect(env.verify(a, "frank", totp()), RC_OK, "login")
    dump = env.pg.dump()
    assert "totp.sealed" in dump, "the record is not in the dump at all"
    low = dump.lower()
    for form in (SECRET.hex(), SECRET_B32.lower(), base64.b64encode(SECRET).decode().lower()):
        assert form.lower() not in low, "TOTP key found in pg_dump output (%s)" % form[:8]


def case_file_store_loads_no_libpq(env):
    env.pg.init()
    f = env.config("F", backend="file")
    env.enroll(f, "gina")
    r = subprocess.run([env.a.helper, "maps", f, "gina", totp()], capture_output=True, text=True, timeout=60)
    expect(r.stdout.split(), ["rc=0", "libpq=no"], "file-store login")
    a = env.config("A")
    env.plugin_ctl(a, "db", "init")
    env.enroll(a, "gina")
    r = subprocess.run([env.a.helper, "maps", a, "gina", totp()], capture_output=True, text=True, timeout=60)
    expect(r.stdout.split(), ["rc=0", "libpq=yes"], "postgresql-store login (the check sees libpq)")


def case_migrate_store(env):
    a, b = env.fleet()
    f = env.config("A", backend="file")  # host A before the move: same state dir
    env.enroll(f, "hank")
    env.enroll(f, "ivy")
    # The same code again after the move, not totp(-1) computed anew: the
    # move can take long enough for the step to turn, and then that names an
    # unspent step. A fresh login takes the step after the spent one.
    code = totp()
    expect(env.verify(f, "hank", code), RC_OK, "login on the file store")
    a = env.config("A", user="host_a")
    out = env.plugin_ctl(a, "migrate-store", "--from", "file", "--to", "postgresql").stdout
    assert "copied 2 user(s)" in out, out
    expect(env.verify(b, "hank", code), RC_REPLAY, "live state moved too (last step)")
    expect(env.verify(b, "hank", totp(1)), RC_OK, "login on the postgresql store, no re-registration")
    expect(env.verify(a, "ivy", totp()), RC_OK, "second user")
    out = env.plugin_ctl(a, "migrate-store", "--from", "file", "--to", "postgresql").stdout
    assert "copied 0 user(s)" in out and "2 skipped" in out, out


def case_config_refused(env):
    env.pg.init()
    no_key = env.config("K").replace(".yaml", "")
    with open(no_key + ".yaml") as fh:
        text = fh.read()
    with open(no_key + ".yaml", "w") as fh:
        fh.write(re.sub(r"  seal_key_file: .*\n", "", text))
    r = env.ctl(no_key + ".yaml", "check-config", no_key + ".yaml", check=False)
    assert r.returncode != 0 and "seal_key_file" in (r.stdout + r.stderr), r.stdout + r.stderr
    pw = env.config("P")
    with open(pw) as fh:
        text = fh.read().replace("user=postgres", "user=postgres password=secret")
    with open(pw, "w") as fh:
        fh.write(text)
    r = subprocess.run([env.a.helper, "verify", pw, "x", "123456"], capture_output=True, text=True)
    assert "must not hold a password" in r.stderr, r.stderr
    # A plugin that others can write is refused before it is loaded.
    bad = os.path.join(env.top, "plugin")
    os.mkdir(bad, 0o755)
    shutil.copy(env.a.plugin, os.path.join(bad, "p.so"))
    os.chmod(os.path.join(bad, "p.so"), 0o666)
    c = env.config("C", extra="")
    with open(c) as fh:
        text = fh.read().replace(env.a.plugin, os.path.join(bad, "p.so"))
    with open(c, "w") as fh:
        fh.write(text)
    r = subprocess.run([env.a.helper, "verify", c, "x", "123456"], capture_output=True, text=True)
    assert "root-owned" in r.stderr, r.stderr


def migration_sql(n):
    """Migration n's SQL, read from pg_schema.cpp: exactly what chorus ships."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "libchorusauth", "store", "postgresql", "pg_schema.cpp")) as f:
        m = re.search(r'\{%d, "([^"]*)",\s*R"SQL\((.*?)\)SQL"\}' % n, f.read(), re.S)
    assert m, "migration %d not found in pg_schema.cpp" % n
    return m.group(1), m.group(2)


def refused_table(env, user, sql):
    r = env.pg.psql_run(sql, user=user, check=False)
    assert r.returncode != 0 and "permission denied for table users" in r.stderr, (user, sql, r.stdout, r.stderr)


def names(env, cfg):
    return [u["user"] for u in json.loads(env.ctl(cfg, "list", "--json").stdout)]


def case_host_rights(env):
    a, b = env.fleet()
    env.enroll(a, "alice")
    expect(env.verify(b, "alice", totp()), RC_OK, "registered on A, login on B, both as host roles")
    expect(env.verify(a, "alice", wrong(totp(1))), RC_BAD_CODE, "failure on A")
    expect(env.status(b, "alice")["failures"], 1, "failure seen on B")
    expect(names(env, b), ["alice"], "list on B")
    out = env.plugin_ctl(a, "db", "status").stdout
    assert "schema version: 3" in out and "users: 1" in out, out
    # A host's own SQL cannot touch the table...
    for sql in ("SELECT * FROM chorus.users", "SELECT user_key FROM chorus.users",
                "UPDATE chorus.users SET failures = 0", "INSERT INTO chorus.users (user_key) VALUES ('mallory')",
                "DELETE FROM chorus.users", "TRUNCATE chorus.users", "COPY chorus.users TO STDOUT"):
        refused_table(env, "host_a", sql)
    # ...only call the functions, one row each, with the compare-and-set.
    as_a = lambda sql: env.pg.psql(sql, user="host_a")  # noqa: E731
    expect(as_a("SELECT failures FROM chorus.user_get('alice')"), "1", "user_get as host_a")
    expect(as_a("SELECT * FROM chorus.user_list()"), "alice", "user_list as host_a")
    version = int(as_a("SELECT version FROM chorus.user_get('alice')"))
    expect(as_a("SELECT count(*) FROM chorus.user_put_live('alice', 0, 0, 0, 0, 0, 0, %d)" % (version - 1)), "0",
           "write with a stale version")
    expect(as_a("SELECT count(*) FROM chorus.user_put_record('alice', 'x', NULL)"), "0", "insert over a row")
    expect(as_a("SELECT version FROM chorus.user_get('alice')"), str(version), "nothing written")
    # The calls hosts of this version make: a read, and a write that is a
    # compare-and-set in its own transaction.
    expect(as_a("SELECT failures, version FROM chorus.user_read('alice')"), "1|%d" % version, "user_read")
    expect(as_a("SELECT version IS NULL FROM chorus.user_read('nobody')"), "t", "user_read of no row")
    expect(as_a("SELECT count(*) FROM chorus.user_write('alice', %d, false, NULL, true, 0, 0, 0, 0, 0, 0)"
                % (version - 1)), "0", "user_write with a stale version")
    expect(as_a("SELECT count(*) FROM chorus.user_write('alice', NULL, true, 'x', false, 0, 0, 0, 0, 0, 0)"), "0",
           "user_write insert over a row")
    expect(as_a("SELECT version FROM chorus.user_read('alice')"), str(version), "still nothing written")
    # EXECUTE is not PUBLIC's: a role outside chorus_host cannot call them
    # even with USAGE on the schema.
    env.pg.psql("CREATE ROLE stranger LOGIN; GRANT USAGE ON SCHEMA chorus TO stranger")
    r = env.pg.psql_run("SELECT * FROM chorus.user_get('alice')", user="stranger", check=False)
    assert r.returncode != 0 and "permission denied for function user_get" in r.stderr, r.stderr
    rows = env.pg.psql("SELECT p.proname, p.prosecdef, array_to_string(p.proconfig, ';'), p.proowner::regrole, "
                       "has_function_privilege('host_a', p.oid, 'EXECUTE'), "
                       "has_function_privilege('stranger', p.oid, 'EXECUTE') "
                       "FROM pg_proc p WHERE p.pronamespace = 'chorus'::regnamespace ORDER BY 1").splitlines()
    expect([row.split("|")[0] for row in rows],
           ["user_delete", "user_get", "user_list", "user_put_live", "user_put_record", "user_read", "user_write"],
           "functions")
    for row in rows:
        config = "search_path=pg_catalog, pg_temp" + (";lock_timeout=5s" if row.startswith("user_write") else "")
        expect(row.split("|")[1:], ["t", config, "chorus_admin", "t", "f"], row)
    env.ctl(a, "unenroll", "alice", "--all")  # erase, through user_delete
    expect(names(env, b), [], "list after unenroll --all")
    expect(as_a("SELECT count(*) FROM chorus.user_get('alice')"), "0", "row deleted")


def case_migrate_v1_to_current(env):
    env.pg.init()
    owner = env.roles()
    a = env.config("A", user="host_a")
    desc, sql = migration_sql(1)
    env.pg.psql("%s;\nINSERT INTO chorus.schema_version (version, description) VALUES (1, '%s')" % (sql, desc),
                user="chorus_admin")
    # Version 1 gave hosts the table; an old host wrote a row directly.
    env.pg.psql("INSERT INTO chorus.users (user_key, failures) VALUES ('zed', 3)", user="host_a")
    expect(env.pg.psql("SELECT failures FROM chorus.users", user="host_a"), "3", "v1: host reads the table")
    r = env.plugin_ctl(a, "db", "status", check=False)
    assert r.returncode == 1 and "schema version: 1" in r.stdout and "db migrate" in r.stdout, r.stdout
    r = subprocess.run([env.a.helper, "verify", a, "zed", totp()], capture_output=True, text=True, timeout=60)
    assert "rc=0" not in r.stdout and "chorusctl db migrate" in r.stderr, (r.stdout, r.stderr)
    # A host plants a better-matching public.format() (CVE-2018-1058): the
    # migration's search_path is pinned, so it never runs as the superuser.
    env.pg.psql("GRANT CREATE ON SCHEMA public TO PUBLIC")
    env.pg.psql("CREATE FUNCTION public.format(f text, a text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN "
                "EXECUTE 'ALTER ROLE host_a SUPERUSER'; RETURN pg_catalog.format(f, a); END $$", user="host_a")
    # A superuser runs the migration; the functions must still run with the
    # rights of the schema's owner, not the superuser's.
    out = env.plugin_ctl(env.config("P"), "db", "migrate").stdout
    expect(env.pg.psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'host_a'"), "f", "planted function not run")
    assert "schema at version 3 (was 1)" in out, out
    expect(env.pg.psql("SELECT DISTINCT proowner::regrole FROM pg_proc WHERE pronamespace = 'chorus'::regnamespace"),
           "chorus_admin", "owner of the functions")
    assert "already at version 3" in env.plugin_ctl(owner, "db", "migrate").stdout
    out = env.plugin_ctl(a, "db", "status").stdout
    assert "schema version: 3" in out and "up to date" in out, out
    refused_table(env, "host_a", "SELECT failures FROM chorus.users")
    refused_table(env, "host_b", "UPDATE chorus.users SET failures = 0")
    expect(env.pg.psql("SELECT failures FROM chorus.user_get('zed')", user="host_a"), "3", "row kept")
    env.enroll(a, "zed")  # a record onto the existing row: the compare-and-set update
    expect(env.verify(a, "zed", totp()), RC_OK, "login after the migration")
    expect(names(env, a), ["zed"], "list after the migration")


def main():
    ap = argparse.ArgumentParser()
    for o in ("helper", "chorusctl", "plugin"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("case")
    args = ap.parse_args()
    if os.geteuid() != 0 or pg_server.find_bindir() is None or shutil.which("runuser") is None:
        print("skipped: needs root, runuser and the PostgreSQL server binaries")
        return 77
    try:
        pg_server.Server.uid()
    except KeyError:
        print("skipped: no postgres user")
        return 77
    fn = globals().get("case_" + args.case)
    for module in (pg_tls, pg_hostile_env, pg_fleet, pg_failover, pg_patroni):
        fn = fn or getattr(module, "case_" + args.case, None)
    if fn is None:
        print("unknown case", args.case)
        return 2
    top = tempfile.mkdtemp(prefix="chorus-pg-")
    os.chmod(top, 0o711)
    env = Env(args, top)
    try:
        fn(env)
    except Exception:
        log = os.path.join(env.pg.top, "log")
        if os.path.exists(log):
            sys.stderr.write("---- server log ----\n" + open(log).read()[-4000:])
        raise
    finally:
        for stop in env.cleanups:
            stop()
        env.pg.kill()
        shutil.rmtree(top, ignore_errors=True)
    print("ok:", args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
