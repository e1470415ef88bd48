#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""chorus-deliver against real servers on 127.0.0.1 (tests/deliver/README in
docs/DELIVERY.md). Usage: test_deliver.py HELPER CASE. Needs root (exit 77
otherwise). Every case also checks that the code in the body never reaches
syslog, stdout or stderr."""
import base64
import email
import email.header
import email.policy
import json
import os
import socket
import subprocess
import sys
import urllib.parse

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deliver_env  # noqa: E402
import gateway_template_cases  # noqa: E402
import test_contacts  # noqa: E402
from deliver_env import ADDRESS, MASKED_ADDRESS, MASKED_PHONE, PHONE, Skip, expect, request  # noqa: E402


def check_email_delivered(env):
    port = env.smtp()
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d" % port)
    body = env.body() + ".a line starting with a dot\nK\u00f6ln \u2713\n"
    rc, _ = env.run(cfg, request("email", ADDRESS, body, "Your confirmation code"))
    expect(rc, 0)
    [(raw, envelope)] = env.mails()
    assert envelope == {"mail_from": "chorus@example.org", "rcpt_tos": [ADDRESS]}, envelope
    head, _, content = raw.partition(b"\r\n\r\n")
    assert content == body.replace("\n", "\r\n").encode(), content  # exact, dot-unstuffed
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for name, value in [("From", "chorus@example.org"), ("To", ADDRESS), ("Subject", "Your confirmation code"),
                        ("MIME-Version", "1.0"), ("Content-Transfer-Encoding", "8bit")]:
        assert msg[name] == value, (name, msg[name])
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
    assert msg["Date"].datetime is not None and msg["Message-ID"].endswith("@example.org>")
    for line in head.split(b"\r\n"):
        assert b"\n" not in line and len(line) <= 78, line
    assert MASKED_ADDRESS in env.log_text() and ADDRESS not in env.log_text()


def check_email_utf8_subject(env):
    port = env.smtp()
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d/" % port)
    subject = "Code de v\u00e9rification \u2014 " + "tr\u00e8s long " * 8
    expect(env.run(cfg, request("email", ADDRESS, env.body(), subject))[0], 0)
    [(raw, _)] = env.mails()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert str(msg["Subject"]) == subject, msg["Subject"]


def check_email_rejected(env):
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d" % env.smtp("reject"))
    expect(env.run(cfg, request("email", ADDRESS, env.body(), "x"))[0], 1, "(RCPT refused)")
    assert env.mails() == []


def check_email_server_down(env):
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d" % deliver_env.closed_port())
    expect(env.run(cfg, request("email", ADDRESS, env.body(), "x"))[0], 4)


def check_sms_delivered(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway())
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0)
    [req] = env.requests()
    assert req["method"] == "POST" and req["path"] == "/sms", req
    assert req["headers"]["Content-Type"] == "application/json"
    assert json.loads(req["body"]) == {"to": PHONE, "message": env.body()}, req["body"]
    logs = env.log_text()
    assert MASKED_PHONE in logs and PHONE not in logs and "sms" in logs, logs
    if env.syslog:  # LOG_AUTHPRIV (10 << 3) | LOG_INFO (6)
        assert "<86>" in logs and "chorus-deliver[" in logs, logs


def check_sms_gateway_error(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway("error"))
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 1)


def check_sms_server_down(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % deliver_env.closed_port())
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 4)


def voice(env, mode, want, timeout=4):
    cfg = env.config(timeout=timeout, voice_url="http://127.0.0.1:%d/voice" % env.gateway(mode))
    rc, elapsed = env.run(cfg, request("voice", PHONE, "Press the pound key to approve the sign-in."))
    expect(rc, want, "(voice, gateway mode %s)" % mode)
    return env.requests(), elapsed


def check_voice_approved(env):
    reqs, _ = voice(env, "ok", 0)
    assert json.loads(reqs[0]["body"]) == {"to": PHONE, "message": "Press the pound key to approve the sign-in.",
                                           "approve_key": "#"}
    assert [r["method"] + " " + r["path"] for r in reqs[1:]] == ["GET /voice/call-1"] * 2, reqs


def check_voice_immediate(env):
    reqs, _ = voice(env, "immediate", 0)
    assert len(reqs) == 1


def check_voice_declined(env):
    voice(env, "decline", 1)


def check_voice_no_answer(env):
    voice(env, "noanswer", 1)


def check_voice_bad_call_id(env):
    reqs, _ = voice(env, "badid", 4)
    assert len(reqs) == 1  # never polled a path built from the bad id


def check_voice_timeout(env):
    # The call stays "ringing": the helper stops before delivery.timeout,
    # hangs up (DELETE) and reports the timeout itself.
    reqs, elapsed = voice(env, "pending", 4, timeout=3)
    assert elapsed < 3, elapsed
    assert reqs[-1]["method"] == "DELETE", reqs[-1]


def check_voice_gateway_hangs(env):
    _, elapsed = voice(env, "hang", 4, timeout=3)
    assert elapsed < 3.5, elapsed


def check_sms_template(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra='  sms_body: "{{{host}}} {message}\\nto {to}"\n')
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0)
    [req] = env.requests()
    want = "{%s} %s\nto %s" % (socket.gethostname(), env.body(), PHONE)
    assert json.loads(req["body"]) == {"to": PHONE, "message": want}, req["body"]


def check_voice_template(env):
    cfg = env.config(voice_url="http://127.0.0.1:%d/voice" % env.gateway("immediate"),
                     extra='  voice_message: "Hello from {host}. {message}"\n')
    expect(env.run(cfg, request("voice", PHONE, "Press the pound key."))[0], 0)
    req = env.requests()[0]
    assert json.loads(req["body"])["message"] == "Hello from %s. Press the pound key." % socket.gethostname(), req


def check_email_template(env):
    port = env.smtp()
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d" % port,
                     extra='  email_subject: "[{host}] {subject}"\n'
                           '  email_body: "Hello {to},\\n\\n{message}-- \\nChorus on {host}\\n"\n')
    expect(env.run(cfg, request("email", ADDRESS, env.body(), "Your confirmation code"))[0], 0)
    [(raw, _)] = env.mails()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    host = socket.gethostname()
    assert str(msg["Subject"]) == "[%s] Your confirmation code" % host, msg["Subject"]
    _, _, content = raw.partition(b"\r\n\r\n")
    want = "Hello %s,\n\n%s-- \nChorus on %s\n" % (ADDRESS, env.body(), host)
    assert content == want.replace("\n", "\r\n").encode(), content


def check_template_unknown_placeholder_refused(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra='  sms_body: "Your code: {code}"\n')
    assert "unknown placeholder {code}" in env.library_refuses(cfg)
    chorusctl = os.environ.get("CHORUSCTL")
    if chorusctl:
        p = subprocess.run([chorusctl, "check-config", cfg], capture_output=True, text=True, env={}, timeout=30)
        assert p.returncode != 0, (p.returncode, p.stdout, p.stderr)
        assert "delivery.sms_body: unknown placeholder {code}" in p.stderr + p.stdout, p.stderr


def token_file(env, text, mode=0o600):
    path = os.path.join(env.dir, "gateway.token")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def check_sms_form_custom_fields(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  sms_format: form\n  sms_fields:\n    to: To\n    message: Body\n")
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0)
    [req] = env.requests()
    assert req["headers"]["Content-Type"] == "application/x-www-form-urlencoded", req["headers"]
    assert urllib.parse.parse_qs(req["body"], strict_parsing=True) == {"To": [PHONE], "Body": [env.body()]}, req
    assert "+" not in req["body"] and " " not in req["body"], req["body"]


def check_sms_json_custom_fields(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  sms_fields: {to: recipient, message: text}\n")
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0)
    [req] = env.requests()
    assert req["headers"]["Content-Type"] == "application/json"
    assert json.loads(req["body"]) == {"recipient": PHONE, "text": env.body()}, req["body"]


def check_gateway_bearer_auth(env):
    tok = token_file(env, "s3cr3t-token.xyz\n")
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  gateway_auth: bearer\n  gateway_token_file: %s\n" % tok)
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0)
    [req] = env.requests()
    assert req["headers"].get("Authorization") == "Bearer s3cr3t-token.xyz", req["headers"]
    assert "s3cr3t" not in env.log_text()


def check_gateway_basic_auth(env):
    tok = token_file(env, "chorus:pa:ss word\n")
    cfg = env.config(voice_url="http://127.0.0.1:%d/voice" % env.gateway(),
                     extra="  gateway_auth: basic\n  gateway_token_file: %s\n" % tok)
    expect(env.run(cfg, request("voice", PHONE, "Press the pound key."))[0], 0)
    want = "Basic " + base64.b64encode(b"chorus:pa:ss word").decode()
    reqs = env.requests()
    assert reqs and all(r["headers"].get("Authorization") == want for r in reqs), reqs
    assert "pa:ss" not in env.log_text()


def check_gateway_token_file_unsafe_refused(env):
    tok = token_file(env, "token\n", mode=0o644)
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  gateway_auth: bearer\n  gateway_token_file: %s\n" % tok)
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 3, "(token file 0644)")
    os.unlink(tok)
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 3, "(token file missing)")
    assert env.requests() == []


def check_command_channel(env):
    """delivery.command serves the listed channels: the program (run as
    nobody) gets the request on stdin; its exit status is the outcome."""
    os.chmod(env.dir, 0o711)  # nobody must reach the script, not list the dir
    out = os.path.join(env.dir, "cmd-out")
    os.mkdir(out)
    os.chmod(out, 0o777)
    script = os.path.join(env.dir, "send-code.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n/bin/cat > %s/request\nexit 0\n" % out)
    os.chmod(script, 0o755)
    cfg = env.config(extra="  command: %s\n  command_channels: [sms]\n" % script)
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 0, "command delivered")
    with open(os.path.join(out, "request"), encoding="utf-8") as f:
        got = f.read()
    assert "channel: sms" in got and ("to: " + PHONE) in got and env.body() in got, got
    with open(script, "w") as f:
        f.write("#!/bin/sh\n/bin/cat > /dev/null\nexit 5\n")
    expect(env.run(cfg, request("sms", PHONE, env.body()))[0], 1, "failing command is a refused delivery")
    # A channel not listed still needs its own URL.
    expect(env.run(cfg, request("voice", PHONE, env.body()))[0], 3, "voice is not served by the command")


def check_malformed_requests(env):
    cfg = env.config(smtp_url="smtp://127.0.0.1:%d" % env.smtp(), sms_url="http://127.0.0.1:%d/sms" % env.gateway())
    body = env.body()
    bad = {
        "bad channel": request("fax", PHONE, body),
        "CR in subject": request("email", ADDRESS, body, "hi\rBcc: eve@example.org"),
        "LF in subject": "channel: email\nto: %s\nsubject: hi\nbcc: eve@example.org\n\n%s" % (ADDRESS, body),
        "CRLF in to": request("email", ADDRESS + "\r\nRCPT TO:<eve@example.org>", body),
        "oversized": request("sms", PHONE, body + "x" * (64 * 1024)),
        "not E.164": request("sms", "021555567", body),
        "letters in number": request("sms", "+64215555x7", body),
        "bad address": request("email", "alice@@example.org", body),
        "address with space": request("email", "alice @example.org", body),
        "control char in body": request("sms", PHONE, body + "\x1b[2J"),
        "CR in body": request("sms", PHONE, body + "\r"),
        "invalid UTF-8": request("sms", PHONE, body).encode() + b"\xff\xfe",
        "unknown header": "channel: sms\nto: %s\nurl: http://evil/\n\n%s" % (PHONE, body),
        "header twice": "channel: sms\nto: %s\nto: +6421555999\n\n%s" % (PHONE, body),
        "no blank line": "channel: sms\nto: %s\n" % PHONE,
        "empty body": request("sms", PHONE, ""),
        "empty": "",
    }
    for what, req in bad.items():
        expect(env.run(cfg, req)[0], 2, "(" + what + ")")
    # The settings: each one exactly once, escapes only for "\\" and "\n".
    lines, _ = env.settings(cfg)
    lines = lines.decode().splitlines(True)
    good = request("sms", PHONE, body)
    settings_bad = {
        "a setting missing": "".join(l for l in lines if not l.startswith("timeout:")) + good,
        "a setting twice": "".join(lines) + "sms_url: http://127.0.0.1:1/evil\n" + good,
        "bad escape": "".join(l if not l.startswith("sms_body:") else "sms_body: \\x41\n" for l in lines) + good,
        "timeout out of range": "".join(l if not l.startswith("timeout:") else "timeout: 301\n" for l in lines) + good,
        "unknown auth": "".join(l if not l.startswith("gateway_auth:") else "gateway_auth: ntlm\n" for l in lines)
                        + good,
        "no settings at all": good,
    }
    for what, req in settings_bad.items():
        expect(env.run(cfg, req, settings=False)[0], 2, "(" + what + ")")
    assert env.run(cfg, "".join(lines) + good, settings=False)[0] == 0, "the well-formed request"
    assert len(env.requests()) == 1 and env.mails() == [], "something else was sent"


def check_root_token_refused_to_others(env):
    """The helper is not setuid: a caller that is not root naming root's
    gateway token gets exit 3 and nothing is sent (it opens the file with
    the caller's rights)."""
    tok = token_file(env, "root-only-token\n")
    os.chmod(env.dir, 0o711)
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  gateway_auth: bearer\n  gateway_token_file: %s\n" % tok, mode=0o644)
    rc, _ = env.run(cfg, request("sms", PHONE, env.body()),
                    prefix=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
    expect(rc, 3)
    assert env.requests() == []
    assert "root-only-token" not in env.log_text()


def check_unsafe_config_refused(env):
    """A configuration the library refuses never becomes a request."""
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(), mode=0o620)
    assert env.library_refuses(cfg)
    bad = env.config(sms_url="http://127.0.0.1:1/sms", name="bad.yaml")
    with open(bad, "a", encoding="utf-8") as f:
        f.write("  unknown_key: 1\n")
    assert "unknown_key" in env.library_refuses(bad)
    os.chmod(cfg, 0o600)
    os.symlink(cfg, os.path.join(env.dir, "link.yaml"))
    assert env.library_refuses(os.path.join(env.dir, "link.yaml"))
    assert env.library_refuses(cfg + ".missing")
    assert env.requests() == []


def check_channel_not_configured(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway())
    expect(env.run(cfg, request("voice", PHONE, env.body()))[0], 3)
    expect(env.run(cfg, request("email", ADDRESS, env.body(), "x"))[0], 3)
    assert env.requests() == []


def check_environment_ignored(env):
    # A proxy (or CA bundle) from the environment must not divert the request.
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway())
    poisoned = {"http_proxy": "http://127.0.0.1:1", "HTTP_PROXY": "http://127.0.0.1:1",
                "ALL_PROXY": "http://127.0.0.1:1", "CURL_CA_BUNDLE": "/nonexistent"}
    expect(env.run(cfg, request("sms", PHONE, env.body()), env=poisoned)[0], 0)
    assert len(env.requests()) == 1


def check_debug_mode_never_prints_body(env):
    cfg = env.config(timeout=3, sms_url="http://127.0.0.1:%d/sms" % env.gateway("error"),
                     voice_url="http://127.0.0.1:%d/voice" % env.gateway("pending"))
    expect(env.run(cfg, request("sms", PHONE, env.body()), args=["--debug"])[0], 1)
    expect(env.run(cfg, request("voice", PHONE, env.body()), args=["--debug"])[0], 4)
    assert any("poll" in e for _, e in env.outputs), env.outputs


def check_library_login_by_sms(env):
    """pam_chorus's path: the library reads /etc/chorus/chorus.yaml (here a
    private overlay on /etc) and starts the helper (argv {path}, empty
    environment) with the settings in the request; the code the gateway got
    is typed back."""
    f = test_contacts.Flow(env)
    f.configure(voice=False)
    f.enroll()
    f.ctl("set-phone", "--proven", test_contacts.USER, PHONE)
    rc, out = f.drive("login", test_contacts.USER, "sms", "@wrong")
    assert rc == 1, out
    rc, out = f.drive("login", test_contacts.USER, "sms", "@code")
    assert rc == 0, out
    reqs = env.requests()
    assert len(reqs) == 2 and json.loads(reqs[1]["body"])["to"] == PHONE, reqs
    env.code = json.loads(reqs[1]["body"])["message"].split("code is ")[1][:6]  # checked against the logs


def check_chorusctl_test_delivery(env):
    """chorusctl test-delivery: the library sends a fixed test message
    through the helper with the configuration's settings; a channel that is
    not configured, a bad recipient or a refusing gateway is an error."""
    chorusctl = os.environ.get("CHORUSCTL")
    if not chorusctl:
        raise Skip("needs chorusctl")
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  helper: %s\n  sms_body: \"[test] {message}\"\n" % env.helper)

    def ctl(*args):
        return subprocess.run([chorusctl, "--config", cfg, "test-delivery"] + list(args), capture_output=True,
                              text=True, env={}, timeout=60)
    p = ctl("sms", "+64 21 555 567")
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "delivered" in p.stdout, p.stdout
    [req] = env.requests()
    body = json.loads(req["body"])
    assert body["to"] == PHONE and body["message"].startswith("[test] This is a test message from Chorus"), body
    for args, why in ((("voice", PHONE), "not configured"), (("email", ADDRESS), "not configured"),
                      (("sms", "021555567"), "international form"), (("fax", PHONE), "unknown channel")):
        p = ctl(*args)
        assert p.returncode != 0 and why in p.stderr, (args, p.returncode, p.stderr)
    refusing = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway("error"), name="refusing.yaml",
                          extra="  helper: %s\n" % env.helper)
    p = subprocess.run([chorusctl, "--config", refusing, "test-delivery", "sms", PHONE], capture_output=True,
                       text=True, env={}, timeout=60)
    assert p.returncode != 0 and "delivery failed" in p.stderr, (p.returncode, p.stderr)
    assert len(env.requests()) == 2, env.requests()


def main():
    helper, case = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0:
        print("needs root (setpriv, root-owned config)")
        return 77
    if "--inner" not in sys.argv:
        # Re-run in a private mount namespace to own /dev/log; fall back to
        # stderr-only checks where namespaces are not allowed.
        if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0:
            return subprocess.run(["unshare", "-m", "--propagation", "private", deliver_env.PYTHON,
                                   os.path.abspath(__file__), helper, case, "--inner"]).returncode
        print("note: no mount namespace; syslog is not captured")
        syslog = None
    else:
        deliver_env.enter_private_dev()
        syslog = deliver_env.SyslogCapture()
    env = deliver_env.Env(os.path.abspath(helper), syslog)
    try:
        check = globals().get("check_" + case)
        for module in (gateway_template_cases, test_contacts):
            check = check or getattr(module, "check_" + case, None)
        check(env)
        env.assert_code_never_logged()
    except Skip as e:
        print("skipped:", e)
        return 77
    finally:
        env.close()
    print("ok", case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
