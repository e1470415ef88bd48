#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""SSH_ASKPASS program for the sshd end-to-end tests.

The OpenSSH client runs this once per keyboard-interactive prompt, with the
prompt as argv[1] (sshd puts PAM info/error text that came before a prompt in
front of it, and the client prefixes "(user@host) "). It answers by pattern
from CHORUS_E2E_DIR/answers.json, the file the test writes before each
connection, and appends what it saw to CHORUS_E2E_DIR/transcript.jsonl.

A code sent by SMS or email (a contact's proof, or a login whose default is
sms) is read from what the test's gateway or SMTP sink received, as a
person reads their phone or their mail.

The registration prompt is answered like a person would (unless the test
asks for wrong answers first): read the key shown by hand ("Or enter this key by hand: ABCD EFGH ...") and type what an app
computes from it (oathtool). The key and the time it was read are recorded so
the test can compute later codes.
"""
import json
import os
import re
import subprocess
import sys
import time

KEY_RE = re.compile(r"Or enter this key by hand: ([A-Z2-7 ]+)")

# (pattern on the prompt's last line, kind recorded, answer key). First match wins.
RULES = [
    (re.compile(r"^current password", re.I), "current_password", "password"),
    (re.compile(r"^new password", re.I), "new_password", "new_password"),
    (re.compile(r"^retype new password", re.I), "retype_new_password", "new_password"),
    (re.compile(r"password: ?$", re.I), "password", "password"),
    (re.compile(r"^verification code", re.I), "code", "code"),
    (re.compile(r"^code from the text message", re.I), "sms_code", None),
    (re.compile(r"^enter the code we sent", re.I), "proof_code", None),
    (re.compile(r"^how should we prove", re.I), "proof_choice", "proof_choice"),
    (re.compile(r"code from your app", re.I), "registration_code", None),
    (re.compile(r"^phone number", re.I), "phone", "phone"),
    (re.compile(r"^email address", re.I), "email", "email"),
    (re.compile(r"^press enter once you approved", re.I), "push", "push"),
]

def last_line(prompt):
    line = prompt.rstrip("\n").split("\n")[-1]
    return re.sub(r"^\([^)]*@[^)]*\) ", "", line)  # the client's "(user@host) "


def registration_code(workdir, shown):
    """The code an app shows for the key in `shown` (this connection's text so far)."""
    found = None
    for found in KEY_RE.finditer(shown):
        pass  # the last key shown wins
    if not found:
        return None
    key = found.group(1).replace(" ", "")
    now = int(time.time())
    code = subprocess.run(["oathtool", "--totp", "-b", key, "-N", "@%d" % now],
                          check=True, capture_output=True, text=True).stdout.strip()
    with open(os.path.join(workdir, "key.json"), "w") as f:
        json.dump({"key": key, "time": now, "code": code}, f)
    return code


def registration_answer(workdir, prompt, answers):
    """answers["registration"]: what to type at each code-from-app prompt of
    this connection, in order; "app" means the right code. Default: ["app"]."""
    plan = answers.get("registration", ["app"])
    try:
        with open(os.path.join(workdir, "transcript.jsonl")) as f:
            earlier = [json.loads(line) for line in f]
    except FileNotFoundError:
        earlier = []
    asked = sum(1 for p in earlier if p["kind"] == "registration_code")
    typed = plan[asked] if asked < len(plan) else plan[-1]
    if typed != "app":
        return typed
    return registration_code(workdir, "\n".join([p["prompt"] for p in earlier] + [prompt]))


def sent_code(answers):
    """The code in the newest message the test's servers received: the SMS
    gateway's requests file (answers["gateway_requests"], one JSON request
    per line) or the SMTP sink's mails (answers["mail_dir"], N.eml)."""
    found = []  # (mtime, code)
    path = answers.get("gateway_requests")
    if path and os.path.exists(path):
        last = None
        with open(path) as f:
            for line in f:
                m = re.search(r"code is (\d{6})", json.loads(line).get("body", ""))
                last = m.group(1) if m else last
        if last:
            found.append((os.path.getmtime(path), last))
    mail_dir = answers.get("mail_dir")
    if mail_dir and os.path.isdir(mail_dir):
        for name in os.listdir(mail_dir):
            if name.endswith(".eml"):
                with open(os.path.join(mail_dir, name), "rb") as f:
                    m = re.search(rb"code is (\d{6})", f.read())
                if m:
                    found.append((os.path.getmtime(os.path.join(mail_dir, name)), m.group(1).decode()))
    return max(found)[1] if found else None


def main():
    workdir = os.environ["CHORUS_E2E_DIR"]
    prompt = sys.argv[1] if len(sys.argv) > 1 else ""
    with open(os.path.join(workdir, "answers.json")) as f:
        answers = json.load(f)
    kind, key = "unknown", None
    for pattern, what, answer_key in RULES:
        if pattern.search(last_line(prompt)):
            kind, key = what, answer_key
            break
    if kind == "registration_code":
        answer = registration_answer(workdir, prompt, answers)
    elif kind in ("sms_code", "proof_code"):
        answer = sent_code(answers)
    else:
        answer = answers.get(key) if key else None
    with open(os.path.join(workdir, "transcript.jsonl"), "a") as f:
        f.write(json.dumps({"kind": kind, "prompt": prompt, "answered": answer is not None}) + "\n")
    if answer is None:
        return 1  # nothing sensible to type: the client gives up on this prompt
    sys.stdout.write(answer + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
