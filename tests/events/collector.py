# SPDX-License-Identifier: BSD-2-Clause
"""Captures what Chorus processes report, standing in for journald and a
syslog daemon on a test machine that runs neither: it listens on the
journal's native socket (/run/systemd/journal/socket, where libsystemd's
sd_journal_sendv writes) and on /dev/log, and appends every record to a
file of JSON lines with the sender's pid (SO_PASSCRED).

    collector.py start CAPTURE PIDFILE   serve in the background
    collector.py stop PIDFILE            stop it (by pid) and put the sockets back
    collector.py check CAPTURE           the audit rules over a whole suite's capture

A socket some real daemon listens on is left alone: then nothing is
captured through it, and `start` says so and fails."""
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import time

JOURNAL = "/run/systemd/journal/socket"
SYSLOG = "/dev/log"


def _listening(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def claim(path):
    """A datagram socket bound at path, or None when a daemon listens there.
    Returns (socket, existed_before)."""
    existed = os.path.lexists(path)
    if existed:
        if _listening(path):
            return None, True
        os.unlink(path)  # a socket file nobody reads
    os.makedirs(os.path.dirname(path), exist_ok=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(path)
    os.chmod(path, 0o666)
    return s, existed


def release(path, existed):
    try:
        os.unlink(path)
    except OSError:
        pass
    if existed:  # leave the dead socket file there was, as it was
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            s.bind(path)
            os.chmod(path, 0o666)
        finally:
            s.close()


def parse_journal(data):
    """The native protocol: KEY=value lines, or KEY, newline, a 64-bit
    little-endian length and that many bytes for a value with newlines."""
    fields = {}
    i = 0
    while i < len(data):
        nl = data.find(b"\n", i)
        if nl < 0:
            nl = len(data)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode("ascii", "replace")] = v.decode("utf-8", "replace")
            i = nl + 1
        else:
            n = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
            fields[line.decode("ascii", "replace")] = data[nl + 9:nl + 9 + n].decode("utf-8", "replace")
            i = nl + 9 + n + 1
    return fields


_SYSLOG_HEAD = re.compile(r"^<(\d+)>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?([^:\[\s]*)(?:\[(\d+)\])?: ?(.*)$", re.S)
_PAIR = re.compile(r'([A-Z_]+)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_syslog(data):
    """An RFC 3164 line as glibc's syslog() sends it; the CHORUS_* pairs of
    an event line as fields."""
    text = data.decode("utf-8", "replace")
    m = _SYSLOG_HEAD.match(text)
    if not m:
        return {"MESSAGE": text}, text
    pri, ident, _pid, msg = m.groups()
    fields = {}
    if "CHORUS_EVENT=" in msg:
        for k, v in _PAIR.findall(msg):
            if v.startswith('"'):
                v = re.sub(r"\\(.)", r"\1", v[1:-1])
            fields[k] = v
    else:
        fields["MESSAGE"] = msg
    fields["PRIORITY"] = str(int(pri) & 7)
    fields["SYSLOG_FACILITY"] = str(int(pri) >> 3)
    fields["SYSLOG_IDENTIFIER"] = ident
    return fields, msg


class Collector:
    def __init__(self, capture):
        self.capture = capture
        self.socks = {}
        self.existed = {}

    def open(self):
        for path in (JOURNAL, SYSLOG):
            s, existed = claim(path)
            if s is None:
                raise RuntimeError("a daemon already listens on %s: nothing can be captured there" % path)
            self.socks[path] = s
            self.existed[path] = existed

    def close(self):
        for path, s in self.socks.items():
            s.close()
            release(path, self.existed[path])
        self.socks = {}

    def serve(self, should_stop=lambda: False):
        with open(self.capture, "a", buffering=1) as out:
            while not should_stop():
                ready, _, _ = select.select(list(self.socks.values()), [], [], 0.2)
                for s in ready:
                    data, anc, _flags, _addr = s.recvmsg(1 << 17, socket.CMSG_SPACE(12))
                    pid = None
                    for level, kind, cdata in anc:
                        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                            pid = struct.unpack("iII", cdata[:12])[0]
                    if s is self.socks[JOURNAL]:
                        rec = {"via": "journal", "fields": parse_journal(data)}
                    else:
                        fields, msg = parse_syslog(data)
                        rec = {"via": "syslog", "fields": fields, "line": msg}
                    rec["pid"] = pid
                    rec["t"] = time.time()
                    out.write(json.dumps(rec) + "\n")


def read_capture(capture):
    records = []
    try:
        with open(capture) as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    pass  # a line being written
    except FileNotFoundError:
        pass
    return records


def events(records):
    return [r["fields"] for r in records if "CHORUS_EVENT" in r["fields"]]


# What an event may carry, and the words its enumerations use
# (libchorusauth/audit/event.cpp). Anything else is a finding.
ALLOWED_KEYS = {"MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_FACILITY", "SYSLOG_IDENTIFIER", "CHORUS_EVENT",
                "CHORUS_RESULT", "CHORUS_METHOD", "CHORUS_USER", "CHORUS_STEP", "CHORUS_REASON", "CHORUS_SERVICE",
                "CHORUS_RHOST", "CHORUS_TTY"}
EVENTS = {"login", "lockout", "unlock", "registration", "removal", "reset", "delivery", "failmode", "break-glass",
          "config-refused", "push-answer"}
RESULTS = {"failure", "success", "locked", "unavailable", "declined", "expired", "started", "refused"}
METHODS = {"none", "app", "recovery", "sms", "call", "push", "email", "phone", "phone2"}
STEPS = {"start", "send-code", "check-code", "second-factor", "finish"}
# Secrets the suites use as literals (TOTP keys of RFC 6238 and the tests,
# test passwords). A code typed at a login is 6 to 8 digits: no run of six
# digits may appear once the names of users and services (which carry the
# test's pid) are taken out.
KNOWN_SECRETS = ["GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                 "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA", "12345678901234567890", "Brand-new-5678",
                 "Not-The-Password-1", "Another-One-77", "Tr0ub4dor&3-x", "Orig-Pass-2024x", "Old-Passw0rd",
                 "Nw-Secret-77qz", "Fresh-Start42", "Fresh-Start-93", "Blue-Kite-42x", "Evt-Pass-9931q"]


def findings(fields):
    out = []
    for k in fields:
        if k not in ALLOWED_KEYS:
            out.append("unexpected field %s" % k)
    for key, allowed in (("CHORUS_EVENT", EVENTS), ("CHORUS_RESULT", RESULTS), ("CHORUS_METHOD", METHODS),
                         ("CHORUS_STEP", STEPS)):
        if key in fields and fields[key] not in allowed:
            out.append("%s=%r is not one of its words" % (key, fields[key]))
    if not re.fullmatch(r"[0-9a-f]{32}", fields.get("MESSAGE_ID", "")):
        out.append("no MESSAGE_ID of 32 hex digits")
    text = "\n".join(v for k, v in fields.items() if k not in ("MESSAGE_ID", "PRIORITY", "SYSLOG_FACILITY"))
    for name_key in ("CHORUS_USER", "CHORUS_SERVICE", "CHORUS_RHOST", "CHORUS_TTY"):
        if fields.get(name_key):
            text = text.replace(fields[name_key], "")
    if re.search(r"\d{6}", text):
        out.append("a run of six digits (a code?)")
    if re.search(r"[A-Z2-7]{16}", text):
        out.append("a long base32 run (a key?)")
    for s in KNOWN_SECRETS:
        if s in text:
            out.append("a known test secret")
    return out


def check(capture, minimum=1):
    records = read_capture(capture)
    evs = events(records)
    bad = 0
    for fields in evs:
        for f in findings(fields):
            bad += 1
            print("audit: %s in %s" % (f, json.dumps(fields)))
    # Every captured line, event or not, is searched for the literal secrets.
    for r in records:
        blob = json.dumps(r)
        for s in KNOWN_SECRETS:
            if s in blob:
                bad += 1
                print("audit: a known test secret in %s" % blob)
    print("audit: %d records captured, %d events, %d findings" % (len(records), len(evs), bad))
    if len(evs) < minimum:
        print("audit: expected at least %d events from the suite" % minimum)
        return 1
    return 1 if bad else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "start":
        capture, pidfile = argv[2], argv[3]
        c = Collector(capture)
        try:
            c.open()
        except RuntimeError as e:
            print("collector: %s" % e, file=sys.stderr)
            return 1
        pid = os.fork()
        if pid:
            for s in c.socks.values():
                s.close()
            with open(pidfile, "w") as f:
                f.write("%d\n" % pid)
            return 0
        os.setsid()
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        try:
            c.serve(lambda: bool(stop))
        finally:
            c.close()
        os._exit(0)
    if len(argv) == 3 and argv[1] == "stop":
        with open(argv[2]) as f:
            pid = int(f.read().strip())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return 0
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return 0
            time.sleep(0.05)
        return 1
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
