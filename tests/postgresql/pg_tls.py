# SPDX-License-Identifier: BSD-2-Clause
"""The fleet conninfo as docs/FLEET.md recommends it: several hosts with
target_session_attrs=read-write, TLS with sslmode=verify-full and a client
certificate, against a server whose pg_hba.conf lets the host role in only
over TLS with a certificate. Run through pg_test.py (case
tls_client_cert_multi_host)."""
import os
import re
import subprocess

import pg_server

RC_OK, RC_IO = 0, -4


def openssl(*argv, cwd):
    subprocess.run(["openssl"] + list(argv), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
            "-keyout", name + ".key", "-out", name + ".crt", cwd=d)


def make_cert(d, ca, name, cn, ext=None):
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn, "-keyout", name + ".key",
            "-out", name + ".csr", cwd=d)
    argv = ["x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key", "-CAcreateserial",
            "-days", "2", "-out", name + ".crt"]
    if ext:
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext)
        argv += ["-extfile", name + ".ext"]
    openssl(*argv, cwd=d)


def start_tls_server(env, srv, host_a_method):
    """Starts the server with TLS (server.crt, server.key and ca.crt in srv,
    owned by postgres) and a pg_hba.conf that admits host_a over TLS only,
    by host_a_method ("cert", "scram-sha-256 clientcert=verify-full"...);
    then creates the schema."""
    hba = os.path.join(srv, "hba.conf")
    with open(hba, "w") as f:
        f.write("local all all trust\n"
                "hostssl chorus host_a 127.0.0.1/32 %s\n"
                "host chorus host_a 127.0.0.1/32 reject\n"
                "host chorus all 127.0.0.1/32 trust\n" % host_a_method)
    os.chown(hba, pg_server.Server.uid(), -1)
    env.pg.settings.update({"ssl": "on", "ssl_cert_file": os.path.join(srv, "server.crt"),
                            "ssl_key_file": os.path.join(srv, "server.key"),
                            "ssl_ca_file": os.path.join(srv, "ca.crt"), "hba_file": hba})
    env.pg.init()
    env.plugin_ctl(env.roles(), "db", "init")


def verify(env, cfg, user, code):
    r = subprocess.run([env.a.helper, "verify", cfg, user, code], capture_output=True, text=True, timeout=60)
    m = re.search(r"rc=(-?\d+)", r.stdout)
    assert m, "pg_helper: %r %r" % (r.stdout, r.stderr)
    return int(m.group(1)), r.stderr


def case_tls_client_cert_multi_host(env):
    from pg_test import totp, wrong  # noqa: the codes are pg_test's
    srv = env.pg.top  # owned by postgres, 0700: the server's key lives here
    make_ca(srv, "ca")
    make_ca(srv, "rogue")
    make_cert(srv, "ca", "server", "127.0.0.1", "subjectAltName = IP:127.0.0.1\n")
    make_cert(srv, "ca", "client", "host_a")
    for f in os.listdir(srv):
        if f.split(".")[-1] in ("key", "crt", "csr", "srl", "ext"):
            os.chown(os.path.join(srv, f), pg_server.Server.uid(), -1)
            os.chmod(os.path.join(srv, f), 0o600)
    # The host's key and certificates, as a host keeps them: root-only.
    for f in ("client.key", "client.crt", "ca.crt", "rogue.crt"):
        with open(os.path.join(srv, f), "rb") as src, \
                open(os.open(os.path.join(env.etc, f), os.O_WRONLY | os.O_CREAT, 0o600), "wb") as dst:
            dst.write(src.read())
    start_tls_server(env, srv, "cert")

    dead = pg_server.free_port()  # the first "host" of the list is down
    base = ("host=127.0.0.1,127.0.0.1 port=%d,%d dbname=chorus user=host_a target_session_attrs=read-write "
            "sslmode=verify-full" % (dead, env.pg.port))
    tls = " sslrootcert=%s/ca.crt sslcert=%s/client.crt sslkey=%s/client.key" % ((env.etc,) * 3)
    a = env.config("A", conninfo=base + tls)
    env.enroll(a, "ivy")
    rc, err = verify(env, a, "ivy", totp())
    assert rc == RC_OK, ("over TLS with the client certificate, second host of two", rc, err)

    # Without the client certificate pg_hba rejects the host; with another CA
    # the server's certificate does not verify. Both: the server answered, so
    # an error (never "unreachable", which failmode could act on).
    no_cert = env.config("N", conninfo=base + " sslrootcert=%s/ca.crt" % env.etc)
    rc, err = verify(env, no_cert, "ivy", wrong(totp()))
    assert rc == RC_IO and "refused this host" in err, ("no client certificate", rc, err)
    rogue = env.config("R", conninfo=base + " sslrootcert=%s/rogue.crt sslcert=%s/client.crt sslkey=%s/client.key"
                       % ((env.etc,) * 3))
    rc, err = verify(env, rogue, "ivy", wrong(totp()))
    assert rc == RC_IO and "certificate verify failed" in err, ("server certificate from another CA", rc, err)
    assert env.status(a, "ivy")["failures"] == 0, "refused connections counted nothing"
