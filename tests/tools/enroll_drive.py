#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drives chorus-enroll in a pseudo-terminal, like a person would.

    enroll_drive.py TRANSCRIPT STEPS -- COMMAND [ARGS...]

STEPS is a file of lines, done in order:
    expect REGEX   wait until REGEX appears in the output (after the last match)
    send TEXT      type TEXT and Enter ("send" alone types just Enter)
    code           type the current TOTP code of the key the program showed
                   ("Or enter this key by hand: ..."; digits, period and
                   algorithm from its "Key URI: otpauth://..." line)
    totp BASE32    type the current TOTP code of the given key
    close          close the terminal (the program sees end of input)
Exits with the program's exit status (128+N when killed by signal N), or 97
when an expect timed out. The whole output is written to TRANSCRIPT.
"""
import base64, hashlib, hmac, os, re, select, signal, struct, subprocess, sys, time
from urllib.parse import parse_qs, urlparse

TIMEOUT = 30


def totp(secret_b32, digits=6, period=30, algorithm="SHA1"):
    s = secret_b32.replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    msg = struct.pack(">Q", int(time.time()) // period)
    mac = hmac.new(key, msg, getattr(hashlib, algorithm.lower())).digest()
    off = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


def shown_code(out):
    keys = re.findall(r"Or enter this key by hand: ([A-Z2-7 ]+?)\s*(?:\r?\n|$)", out)
    uris = re.findall(r"Key URI: (otpauth://\S+)", out)
    if not keys or not uris:
        raise SystemExit("enroll_drive: no key shown yet")
    q = {k: v[0] for k, v in parse_qs(urlparse(uris[-1]).query).items()}
    key = keys[-1].replace(" ", "")
    if key != q["secret"]:
        raise SystemExit("enroll_drive: key %s differs from the URI's %s" % (key, q["secret"]))
    return totp(key, int(q.get("digits", 6)), int(q.get("period", 30)), q.get("algorithm", "SHA1"))


def main():
    transcript, steps_file = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    steps = [l.rstrip("\n") for l in open(steps_file) if l.strip()]
    master, slave = os.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    out, pos, status = "", 0, None

    def pump(timeout):
        nonlocal out
        r, _, _ = select.select([master], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        if not data:
            return False
        out += data.decode("utf-8", "replace")
        return True

    def send(text):
        os.write(master, (text + "\n").encode())

    try:
        for step in steps:
            verb, _, arg = step.partition(" ")
            if verb == "expect":
                deadline = time.time() + TIMEOUT
                while True:
                    m = re.compile(arg, re.M).search(out, pos)
                    if m:
                        pos = m.end()
                        break
                    if time.time() > deadline or not pump(0.2) and proc.poll() is not None:
                        sys.stderr.write("enroll_drive: timed out waiting for /%s/\n" % arg)
                        open(transcript, "w").write(out)
                        proc.kill()
                        sys.exit(97)
            elif verb == "send":
                send(arg)
            elif verb == "code":
                send(shown_code(out))
            elif verb == "totp":
                send(totp(arg))
            elif verb == "close":
                os.write(master, b"\x04")
            else:
                raise SystemExit("enroll_drive: unknown step " + step)
        deadline = time.time() + TIMEOUT
        while proc.poll() is None and time.time() < deadline:
            pump(0.2)
        while pump(0.1):
            if proc.poll() is not None and not select.select([master], [], [], 0.1)[0]:
                break
        if proc.poll() is None:
            proc.kill()
            sys.stderr.write("enroll_drive: program did not exit\n")
        status = proc.wait()
    finally:
        open(transcript, "w").write(out)
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
