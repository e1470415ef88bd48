# SPDX-License-Identifier: BSD-2-Clause
"""Cases of test_deliver.py for the templated gateway requests: URL
placeholders (percent-encoded, never in the scheme, host or port) and
delivery.gateway_headers (tokens, no header chorus-deliver sets itself, no
control character after substitution). docs/DELIVERY.md, issue #5."""
import json
import os
import re
import socket
import subprocess
import urllib.parse

from deliver_env import PHONE, expect, request

# Every character that could move a value out of its place in a URL: a
# space, '+' (a space in forms), '&' and '=' (new parameters), '/' and '..'
# (another path), '#' (cuts the rest off), '?' (a query), '%' (an escape of
# its own) and non-ASCII.
HOSTILE = "+1 555&x=1/../#%41?=K\u00f6ln"


def encoded(value):
    """RFC 3986 percent-encoding: only A-Z a-z 0-9 - . _ ~ kept."""
    return urllib.parse.quote(value, safe="")


def check_config(cfg):
    """chorusctl check-config (the library's chorus_config_validate): its
    exit status and output, or None without chorusctl."""
    chorusctl = os.environ.get("CHORUSCTL")
    if not chorusctl:
        return None
    p = subprocess.run([chorusctl, "check-config", cfg], capture_output=True, text=True, env={}, timeout=30)
    return p.returncode, p.stdout + p.stderr


def check_sms_url_template(env):
    port = env.gateway()
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms/{message}?to={to}&from={host}&x=1" % port)
    expect(env.run(cfg, request("sms", PHONE, HOSTILE))[0], 0)
    [req] = env.requests()
    host = socket.gethostname()
    want = "/sms/%s?to=%s&from=%s&x=1" % (encoded(HOSTILE), encoded(PHONE), encoded(host))
    assert req["requestline"] == "POST %s HTTP/1.1" % want, req["requestline"]
    assert req["headers"]["Host"] == "127.0.0.1:%d" % port, req["headers"]
    # The server decodes every value back exactly, and finds no parameter
    # or path segment the values did not come with.
    parts = urllib.parse.urlsplit(req["path"])
    assert urllib.parse.unquote(parts.path) == "/sms/" + HOSTILE, parts
    query = urllib.parse.parse_qs(parts.query, strict_parsing=True, keep_blank_values=True)
    assert query == {"to": [PHONE], "from": [host], "x": ["1"]}, query
    assert json.loads(req["body"]) == {"to": PHONE, "message": HOSTILE}, req["body"]


def check_voice_url_template_and_headers(env):
    """Every request of a call (POST, the status polls, the final DELETE)
    goes to the templated URL and carries the extra headers."""
    port = env.gateway("pending")
    cfg = env.config(timeout=3, voice_url="http://127.0.0.1:%d/voice/{to}/?lang=en&to={to}" % port,
                     extra='  gateway_headers:\n    X-Api-Version: "2"\n    X-Request-To: "{to}"\n'
                           '    x-origin: "chorus on {host}"\n')
    expect(env.run(cfg, request("voice", PHONE, "Press the pound key."))[0], 4, "(call stays ringing)")
    reqs = env.requests()
    query = "?lang=en&to=" + encoded(PHONE)
    lines = [r["requestline"] for r in reqs]
    assert lines[0] == "POST /voice/%s/%s HTTP/1.1" % (encoded(PHONE), query), lines
    poll = "/voice/%s/call-1%s HTTP/1.1" % (encoded(PHONE), query)
    assert len(lines) >= 3 and lines[1:-1] == ["GET " + poll] * (len(lines) - 2), lines
    assert lines[-1] == "DELETE " + poll, lines
    want = [["X-Api-Version", "2"], ["X-Request-To", PHONE], ["x-origin", "chorus on " + socket.gethostname()]]
    for r in reqs:
        extra = [h for h in r["header_lines"] if h[0].lower() in ("x-api-version", "x-request-to", "x-origin")]
        assert extra == want, (r["requestline"], r["header_lines"])
        assert r["headers"]["Host"] == "127.0.0.1:%d" % port, r["headers"]


def check_sms_gateway_headers(env):
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     extra="  gateway_headers: {X-Api-Version: 2, X-Note: \"{{literal}} {message}\"}\n")
    expect(env.run(cfg, request("sms", PHONE, "tab\there, no newline"))[0], 0)
    [req] = env.requests()
    assert req["headers"].get("X-Api-Version") == "2", req["headers"]
    assert req["headers"].get("X-Note") == "{literal} tab\there, no newline", req["headers"]
    # The tool's own headers are still there, once each.
    names = [h[0].lower() for h in req["header_lines"]]
    for own in ("content-type", "accept", "user-agent", "host", "content-length"):
        assert names.count(own) == 1, (own, req["header_lines"])


def check_gateway_header_crlf_refused(env):
    """A value that would hold a line break after substitution ends the
    delivery before any connection: exit 2, nothing sent, the reason logged
    (without the text)."""
    cfg = env.config(sms_url="http://127.0.0.1:%d/sms" % env.gateway(),
                     voice_url="http://127.0.0.1:%d/voice" % env.gateway(),
                     extra='  gateway_headers:\n    X-Text: "{message}"\n')
    injected = "code %s\nX-Injected: 1\n" % env.code
    expect(env.run(cfg, request("sms", PHONE, injected))[0], 2, "(LF in a header value, sms)")
    expect(env.run(cfg, request("voice", PHONE, injected))[0], 2, "(LF in a header value, voice)")
    assert env.connections() == 0 and env.requests() == [], "something was sent"
    logs = env.log_text()
    assert "X-Text" in logs and "X-Injected" not in logs, logs


def check_gateway_template_config_refused(env):
    """A placeholder before the path (it would let a value choose the
    server) or a header chorus-deliver sets itself is refused when the
    configuration is loaded: by the library (no request is made, nothing
    sent) and by chorusctl check-config, with the file, line and column."""
    port = env.gateway()
    url = "http://127.0.0.1:%d/sms" % port
    in_url = r"delivery\.%s: placeholders are not allowed in the scheme, host or port"
    header = r":10:\d+: delivery\.gateway_headers: header "
    reserved = r" is set by chorus-deliver itself and cannot be configured"
    bad = {  # what: (URLs, more delivery: lines, the message after the file name)
        "placeholder in the host": (dict(sms_url="http://{host}:%d/sms" % port), "",
                                    r":8:\d+: " + in_url % "sms_url"),
        "placeholder in the port": (dict(sms_url="http://127.0.0.1:{to}/sms"), "", r":8:\d+: " + in_url % "sms_url"),
        "placeholder in the user": (dict(voice_url="http://{to}@127.0.0.1:%d/voice" % port), "",
                                    r":9:\d+: " + in_url % "voice_url"),
        "Authorization header": (dict(sms_url=url), '  gateway_headers:\n    Authorization: "Bearer x"\n',
                                 r":11:5: delivery\.gateway_headers: header 'Authorization'" + reserved),
        "Host header": (dict(sms_url=url), "  gateway_headers: {host: evil.example}\n", header + "'host'" + reserved),
        "Content-Type header": (dict(sms_url=url), "  gateway_headers: {CONTENT-TYPE: text/plain}\n",
                                header + "'CONTENT-TYPE'" + reserved),
        "Content-Length header": (dict(sms_url=url), "  gateway_headers: {Content-Length: 1}\n",
                                  header + "'Content-Length'" + reserved),
        "not a token": (dict(sms_url=url), '  gateway_headers: {"X Bad": 1}\n',
                        header + "name 'X Bad' is not an HTTP token"),
        "twice": (dict(sms_url=url), "  gateway_headers: {X-A: 1, x-a: 2}\n", header + "'x-a' is given twice"),
        "unknown placeholder": (dict(sms_url=url), '  gateway_headers: {X-A: "{code}"}\n',
                                r":10:\d+: delivery\.gateway_headers\.X-A: unknown placeholder \{code\}"),
    }
    for name, (urls, extra, message) in bad.items():
        cfg = env.config(extra=extra, **urls)
        assert env.library_refuses(cfg), name
        checked = check_config(cfg)
        if checked:
            rc, out = checked
            assert rc != 0 and re.search(re.escape(cfg) + message, out), (name, rc, out)
    assert env.connections() == 0, "a refused configuration sent something"
