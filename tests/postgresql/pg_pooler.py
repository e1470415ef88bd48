# SPDX-License-Identifier: BSD-2-Clause
"""A throw-away PgBouncer (Debian's pgbouncer) in front of a test server:
loopback TCP on a free port, run as the postgres user (it refuses root),
its own config, log and pid file under the test's directory; stopped by PID
in stop(), even after a failure."""
import os
import signal
import subprocess
import time

import pg_server


class Pooler:
    def __init__(self, top, server, mode, users, pool_size=2, extra=None):
        self.top = os.path.join(top, "pgbouncer-" + mode)
        os.mkdir(self.top, 0o700)
        os.chown(self.top, pg_server.Server.uid(), -1)
        self.port = pg_server.free_port()
        self.pid = None
        self.pidfile = os.path.join(self.top, "pgbouncer.pid")
        self.log = os.path.join(self.top, "pgbouncer.log")
        auth = os.path.join(self.top, "users.txt")
        with open(auth, "w") as f:
            f.writelines('"%s" ""\n' % u for u in users)
        settings = {
            "listen_addr": "127.0.0.1", "listen_port": str(self.port), "unix_socket_dir": "",
            "auth_type": "trust", "auth_file": auth, "pool_mode": mode,
            "default_pool_size": str(pool_size), "max_client_conn": "200",
            "logfile": self.log, "pidfile": self.pidfile, "admin_users": "postgres",
            "server_reset_query": "DISCARD ALL", "query_wait_timeout": "10",
        }
        settings.update(extra or {})
        self.ini = os.path.join(self.top, "pgbouncer.ini")
        with open(self.ini, "w") as f:
            f.write("[databases]\nchorus = host=127.0.0.1 port=%d dbname=chorus\n\n[pgbouncer]\n" % server.port)
            f.writelines("%s = %s\n" % kv for kv in settings.items())
        for path in (auth, self.ini):
            os.chown(path, pg_server.Server.uid(), -1)

    def start(self):
        subprocess.run(["runuser", "-u", "postgres", "--", "pgbouncer", "-d", self.ini], check=True,
                       capture_output=True, text=True, cwd=self.top)
        for _ in range(100):
            if os.path.exists(self.pidfile):
                with open(self.pidfile) as f:
                    text = f.read().strip()
                if text:
                    self.pid = int(text)
                    return
            time.sleep(0.05)
        raise AssertionError("pgbouncer did not start: " + open(self.log).read())

    def conninfo(self, user):
        return "host=127.0.0.1 port=%d dbname=chorus user=%s" % (self.port, user)

    def stop(self):
        if self.pid is None:
            return
        for sig in (signal.SIGINT, signal.SIGKILL):
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
