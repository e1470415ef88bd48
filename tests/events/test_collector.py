# SPDX-License-Identifier: BSD-2-Clause
"""The suite-wide audit check (collector.py check) finds what it must: a
code, a key, a known password, a field or word events do not have; and
passes clean events. The parsers read both forms of a record."""
import json
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import collector  # noqa: E402

CLEAN = {"MESSAGE": "login of u123456: success (app) via chorus-evt-a-998877", "MESSAGE_ID": "5a01e8d5ba214009b2f37e403a20f968",
         "PRIORITY": "6", "SYSLOG_FACILITY": "10", "SYSLOG_IDENTIFIER": "chorus", "CHORUS_EVENT": "login",
         "CHORUS_RESULT": "success", "CHORUS_METHOD": "app", "CHORUS_USER": "u123456",
         "CHORUS_SERVICE": "chorus-evt-a-998877", "CHORUS_RHOST": "192.0.2.7"}


def run_check(fields_list, extra_lines=()):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "capture.jsonl")
    with open(path, "w") as f:
        for fields in fields_list:
            f.write(json.dumps({"via": "journal", "fields": fields, "pid": 1, "t": 0}) + "\n")
        for line in extra_lines:
            f.write(json.dumps({"via": "syslog", "fields": {"MESSAGE": line}, "line": line, "pid": 1, "t": 0}) + "\n")
    rc = collector.check(path)
    os.unlink(path)
    os.rmdir(d)
    return rc


def main():
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    expect(run_check([CLEAN]) == 0, "clean events pass (digits only in user and service names)")
    expect(run_check([]) == 1, "no events at all is a failure")
    expect(run_check([dict(CLEAN, CHORUS_REASON="wrong code 482913")]) == 1, "a six-digit code is found")
    expect(run_check([dict(CLEAN, CHORUS_REASON="key GEZDGNBVGY3TQOJQ")]) == 1, "a base32 run is found")
    expect(run_check([dict(CLEAN, CHORUS_REASON="Fresh-Start-93")]) == 1, "a suite password is found")
    expect(run_check([CLEAN], ["pam_unix: password Blue-Kite-42x"]) == 1, "a suite password in any line is found")
    expect(run_check([dict(CLEAN, CHORUS_CODE="1")]) == 1, "an unknown field is found")
    expect(run_check([dict(CLEAN, CHORUS_RESULT="maybe")]) == 1, "a result that is not one of the words is found")
    expect(run_check([dict(CLEAN, MESSAGE_ID="x")]) == 1, "a MESSAGE_ID that is not 32 hex digits is found")
    # The journal's native form, with a binary-length value.
    data = b"MESSAGE_ID=abc\nCHORUS_USER\n" + struct.pack("<Q", 5) + b"a\nb c\nCHORUS_EVENT=login\n"
    parsed = collector.parse_journal(data)
    expect(parsed == {"MESSAGE_ID": "abc", "CHORUS_USER": "a\nb c", "CHORUS_EVENT": "login"}, "journal: %r" % parsed)
    # The syslog form as glibc sends it.
    line = (b'<85>Dec  7 09:00:00 sshd[42]: MESSAGE="login of a b: success" CHORUS_EVENT=login '
            b'CHORUS_USER="x\\"y" CHORUS_RESULT=success')
    fields, _ = collector.parse_syslog(line)
    expect(fields.get("CHORUS_USER") == 'x"y' and fields.get("MESSAGE") == "login of a b: success" and
           fields.get("SYSLOG_FACILITY") == "10" and fields.get("PRIORITY") == "5", "syslog: %r" % fields)
    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
