# SPDX-License-Identifier: BSD-2-Clause
"""The caller's environment must not steer the fleet connection: PAM under su
and sudo runs with the environment of the user logging in, who knows their
password and would like to skip the second factor. Regression for the review
finding "a libpq service file found through PGSERVICEFILE, HOME or
PGSYSCONFDIR redirects the store to a server of the caller's choosing". Run
through pg_test.py (cases service_file_refused, home_files_ignored)."""
import os
import pwd
import re
import subprocess
import sys

import pg_server
import pg_tls

RC_OK, RC_IO, RC_BAD_CODE = 0, -4, -9


def write(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path), 0o700, exist_ok=True)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "w") as f:
        f.write(text)


def verify(env, cfg, code, extra_env, prefix=()):
    r = subprocess.run(list(prefix) + [env.a.helper, "verify", cfg, "ivy", code], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, **extra_env))
    m = re.search(r"(?:rc|ctx)=(-?\d+)", r.stdout)  # ctx=: the configuration was refused
    assert m, "pg_helper: %r %r" % (r.stdout, r.stderr)
    return int(m.group(1)), r.stderr


def case_service_file_refused(env):
    """The caller runs a server where ivy is enrolled with a key they know,
    and names it in a service file of their own."""
    from pg_test import totp  # noqa: the codes are pg_test's
    env.pg.init()
    rogue = env.config("R")
    env.plugin_ctl(rogue, "db", "init")
    env.enroll(rogue, "ivy")
    evil = os.path.join(env.top, "attacker")
    # The caller's server at their own socket; the port is pinned to 5432.
    os.makedirs(os.path.join(evil, "sock"))
    os.symlink(os.path.join(env.pg.sock, ".s.PGSQL.%d" % env.pg.port), os.path.join(evil, "sock", ".s.PGSQL.5432"))
    entry = "host=%s\ndbname=chorus\nuser=postgres\n" % os.path.join(evil, "sock")
    for name in ("svc.conf", ".pg_service.conf", "pg_service.conf"):
        write(os.path.join(evil, name), "[chorus]\n" + entry + "[]\nhostaddr=127.0.0.1\n")

    s = env.config("S", conninfo="service=chorus")
    r = env.ctl(s, "check-config", s, check=False)
    assert r.returncode != 0 and "store.conninfo: must not name a service" in r.stdout + r.stderr, r
    for var, value in (("PGSERVICEFILE", os.path.join(evil, "svc.conf")), ("HOME", evil), ("PGSYSCONFDIR", evil)):
        rc, err = verify(env, s, totp(), {var: value})
        assert rc != RC_OK and "must not name a service" in err, (var, rc, err)

    # No service in conninfo, but PGSERVICE="" looks up the "[]" entry, whose
    # hostaddr would replace the address of the admin's host name.
    a = env.config("A", conninfo="host=db.invalid port=%d dbname=chorus user=postgres" % env.pg.port)
    rc, err = verify(env, a, totp(), {"PGSERVICE": "", "PGSERVICEFILE": os.path.join(evil, "svc.conf")})
    assert rc != RC_OK and "environment variable PGSERVICE is set" in err, (rc, err)


def make_crl(d, ca):
    """An empty CRL signed by ca: loaded, it makes OpenSSL want a CRL for
    every certificate of the chain, and the real CA has none."""
    write(os.path.join(d, "crl.cnf"), "[ca]\ndefault_ca = c\n[c]\ndatabase = index.txt\ncrlnumber = crlnumber\n"
          "default_md = sha256\ndefault_crl_days = 2\n")
    write(os.path.join(d, "index.txt"), "")
    write(os.path.join(d, "crlnumber"), "01\n")
    pg_tls.openssl("ca", "-config", "crl.cnf", "-gencrl", "-keyfile", ca + ".key", "-cert", ca + ".crt",
                   "-out", ca + ".crl", cwd=d)


def case_home_files_ignored(env):
    """The admin keeps the host's TLS files and passfile in root's home, as
    libpq expects them, and sets none in conninfo. A caller's HOME holding a
    root certificate, CRL, client certificate or passfile of their own
    changes nothing: libpq 15.20 would take them from HOME."""
    from pg_test import totp, wrong  # noqa: the codes are pg_test's
    root_home = pwd.getpwuid(0).pw_dir
    probe = subprocess.run(["unshare", "-m", "mount", "-t", "tmpfs", "none", root_home], capture_output=True)
    if probe.returncode != 0 or not os.path.isdir(root_home):
        print("SKIP: cannot mount over root's home in a mount namespace (unshare -m)")
        sys.exit(77)
    srv = env.pg.top
    pg_tls.make_ca(srv, "ca")
    pg_tls.make_ca(srv, "rogue")
    pg_tls.make_cert(srv, "ca", "server", "127.0.0.1", "subjectAltName = IP:127.0.0.1\n")
    pg_tls.make_cert(srv, "ca", "client", "host_a")
    pg_tls.make_cert(srv, "rogue", "rclient", "host_a")
    make_crl(srv, "rogue")
    files = {}
    for f in os.listdir(srv):
        if os.path.isfile(os.path.join(srv, f)):
            with open(os.path.join(srv, f)) as fh:
                files[f] = fh.read()
            os.chown(os.path.join(srv, f), pg_server.Server.uid(), -1)
            os.chmod(os.path.join(srv, f), 0o600)
    pg_tls.start_tls_server(env, srv, "scram-sha-256 clientcert=verify-full")
    env.pg.psql("ALTER ROLE host_a PASSWORD 'right'")
    env.enroll(env.config("P"), "ivy")

    pgpass = "127.0.0.1:%d:chorus:host_a:%%s\n" % env.pg.port
    good = {".postgresql/root.crt": files["ca.crt"], ".postgresql/postgresql.crt": files["client.crt"],
            ".postgresql/postgresql.key": files["client.key"], ".pgpass": pgpass % "right"}
    home = os.path.join(env.top, "roothome")  # root's home as the admin set it up, mounted over it below
    for f, text in good.items():
        write(os.path.join(home, f), text)
    a = env.config("A", max_failures=50,
                   conninfo="host=127.0.0.1 port=%d dbname=chorus user=host_a sslmode=verify-full" % env.pg.port)
    as_root_home = ["unshare", "-m", "sh", "-c", 'mount --bind "$0" "$1" && shift && exec "$@"', home, root_home]

    failures = 0
    rc, err = verify(env, a, wrong(totp()), {"HOME": "/nonexistent"}, as_root_home)
    expect_rc(rc, RC_BAD_CODE, "root's home files, HOME elsewhere (su, sudo)", err)
    failures += 1
    # The caller's HOME holds exactly the files the server would accept: still
    # not read, root's home (without them here) decides.
    if not os.path.exists(os.path.join(root_home, ".postgresql")):
        rc, err = verify(env, a, wrong(totp()), {"HOME": home})
        expect_rc(rc, RC_IO, "right files in the caller's HOME only", err)
        assert "root.crt" in err, err
    evil = {
        "root.crt": {".postgresql/root.crt": files["rogue.crt"]},  # a CA of the caller's (a man in the middle)
        "root.crl": {".postgresql/root.crl": files["rogue.crl"]},
        "client cert": {".postgresql/postgresql.crt": files["rclient.crt"],
                        ".postgresql/postgresql.key": files["rclient.key"]},
        ".pgpass": {".pgpass": pgpass % "wrong"},
    }
    for what, planted in evil.items():
        d = os.path.join(env.top, "attacker-" + re.sub(r"\W", "", what))
        for f, text in planted.items():
            write(os.path.join(d, f), text)
        rc, err = verify(env, a, wrong(totp()), {"HOME": d}, as_root_home)
        expect_rc(rc, RC_BAD_CODE, "caller's HOME with a " + what, err)
        failures += 1
    st = env.status(env.config("P"), "ivy")
    assert st["failures"] == failures, st


def expect_rc(got, want, what, err):
    if got != want:
        raise AssertionError("%s: rc %d, want %d\n%s" % (what, got, want, err))
