#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Bounded load on chorus-web over loopback (docs/PERFORMANCE.md, "Web
pages"): C concurrent clients for S seconds each, first fetching the
reset start page (GET /reset), then asking for the password checklist
(POST /api/reset/rules, each client in its own reset session, as a person
typing). Reports pages/s and p50/p99 latency of each.

    web_load.py --web W --broker B --root DIR [--clients 100] [--seconds 10]

Root only (chorus-web starts as root and drops to nobody). It starts and
stops its own chorus-web on a free port with a throwaway configuration.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

PROCS = 4  # client processes: one Python process cannot keep 100 connections busy


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def client(port, kind, seconds, out, n):
    try:
        drive(port, kind, seconds, out, n)
    except (OSError, http.client.HTTPException, ValueError) as e:
        out.append((0.0, "error: %s" % e))


def drive(port, kind, seconds, out, n):
    """One client: as behind a reverse proxy, it says who it is in
    X-Forwarded-For (a distinct address per client)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    me = {"X-Forwarded-For": "10.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255)}
    cookie, csrf = "", ""
    if kind == "rules":
        conn.request("GET", "/api/session", headers=me)
        r = conn.getresponse()
        cookie = r.getheader("Set-Cookie").split(";")[0]
        csrf = json.loads(r.read())["csrf"]
        body = urllib.parse.urlencode({"identifier": "loaduser", "csrf": csrf})
        conn.request("POST", "/api/reset/start", body=body, headers=dict(me, **{
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}))
        conn.getresponse().read()
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        t = time.monotonic()
        if kind == "page":
            conn.request("GET", "/reset", headers=me)
        else:
            i += 1
            body = urllib.parse.urlencode({"password": "Candidate-%d" % i, "csrf": csrf})
            conn.request("POST", "/api/reset/rules", body=body, headers=dict(me, **{
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}))
        r = conn.getresponse()
        r.read()
        out.append((time.monotonic() - t, r.status))


def worker(port, kind, seconds, threads, first, pipe_fd):
    """One client process: `threads` clients; writes their samples as JSON."""
    samples = []
    ts = [threading.Thread(target=client, args=(port, kind, seconds, samples, first + i)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    with os.fdopen(pipe_fd, "w") as f:
        json.dump(samples, f)


def run(port, kind, clients, seconds):
    readers = []
    for p in range(PROCS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            worker(port, kind, seconds, clients // PROCS + (1 if p < clients % PROCS else 0), p * 1000 + 1, w)
            os._exit(0)
        os.close(w)
        readers.append((pid, r))
    samples = []
    for pid, r in readers:
        with os.fdopen(r) as f:
            samples += json.load(f)
        os.waitpid(pid, 0)
    lat = sorted(s[0] for s in samples if s[1] == 200)
    errors = sum(1 for s in samples if s[1] != 200)
    kinds = sorted(set(str(s[1]) for s in samples if s[1] != 200))
    if kinds:
        print("errors: " + "; ".join(kinds[:5]), file=sys.stderr)
    return {"requests": len(lat), "per_s": len(lat) / seconds, "p50_ms": statistics.median(lat) * 1000,
            "p99_ms": lat[int(len(lat) * 0.99) - 1] * 1000, "errors": errors}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--web", required=True)
    ap.add_argument("--broker", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=10)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="chorus-web-load.")
    port = free_port()
    cfg = os.path.join(d, "chorus.yaml")
    with open(cfg, "w") as f:
        f.write("store: { path: %s/state }\n" % d)
        # As behind a reverse proxy on this host: the clients are told apart
        # by X-Forwarded-For, and the limits are far above the load.
        f.write("web: { port: %d, base_url: \"http://localhost:%d\", user: nobody, max_sessions: %d,\n"
                "       requests_per_minute: 100000, account_attempts_per_hour: 10000, trusted_proxy: true }\n"
                % (port, port, a.clients + 10))
    os.chmod(cfg, 0o600)
    web = subprocess.Popen([a.web, "--config", cfg, "--web-root", a.root, "--broker", a.broker],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        for kind, what in [("page", "reset start page (GET /reset)"),
                           ("rules", "password checklist (POST /api/reset/rules)")]:
            r = run(port, kind, a.clients, a.seconds)
            print("RESULT web %-6s clients=%d requests=%d per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d  # %s"
                  % (kind, a.clients, r["requests"], r["per_s"], r["p50_ms"], r["p99_ms"], r["errors"], what),
                  flush=True)
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=10)
        shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
