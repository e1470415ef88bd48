#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""A real HTTP server playing the SMS and voice gateway of docs/DELIVERY.md.

    gateway.py DIR MODE      prints the port it listens on (127.0.0.1), then serves

Every request is appended to DIR/requests.jsonl as {"method", "path" (the
request target as received, still percent-encoded), "requestline",
"headers" (a dict), "header_lines" (every [name, value] in order), "body"};
every connection accepted adds a line to DIR/connections.log, before
anything is parsed. Paths are routed on their path part (the query is
ignored): POST /sms..., POST /voice..., GET or DELETE .../call-1. MODE
decides the answers:
  ok         POST /sms -> 200; POST /voice -> 201 {"call_id": "call-1"};
             GET /voice/call-1 -> "ringing" once, then "approved"
  decline    like ok, but the call ends "declined"
  noanswer   like ok, but the call ends "no-answer"
  pending    the call stays "ringing" forever
  immediate  POST /voice answers {"status": "approved"} at once
  badid      POST /voice answers {"call_id": "../../etc"}
  error      every request -> 500
  hang       accepts connections, never answers
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, MODE = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()
POLLS = {"count": 0}
FINAL = {"ok": "approved", "decline": "declined", "noanswer": "no-answer"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        with LOCK, open(DIR + "/connections.log", "a", encoding="utf-8") as f:
            f.write("connection\n")

    def record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        entry = {"method": self.command, "path": self.path, "requestline": self.requestline,
                 "headers": dict(self.headers.items()), "header_lines": [list(h) for h in self.headers.items()],
                 "body": body}
        with LOCK, open(DIR + "/requests.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def answer(self, status, obj=None):
        data = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        self.record()
        if MODE == "hang":
            time.sleep(3600)
            return
        if MODE == "error":
            return self.answer(500, {"error": "boom"})
        path = urllib.parse.urlsplit(self.path).path
        if self.command == "POST" and path.startswith("/sms"):
            return self.answer(200, {"id": "sms-1"})
        if self.command == "POST" and path.startswith("/voice"):
            if MODE == "immediate":
                return self.answer(200, {"status": "approved"})
            if MODE == "badid":
                return self.answer(201, {"call_id": "../../etc"})
            return self.answer(201, {"call_id": "call-1", "extra": [1, {"x": None}]})
        if self.command == "GET" and path.startswith("/voice") and path.endswith("/call-1"):
            with LOCK:
                POLLS["count"] += 1
                n = POLLS["count"]
            status = "ringing" if n < 2 or MODE == "pending" else FINAL.get(MODE, "ringing")
            return self.answer(200, {"call_id": "call-1", "status": status})
        if self.command == "DELETE" and path.startswith("/voice") and path.endswith("/call-1"):
            return self.answer(204)
        return self.answer(404, {"error": "not found"})

    do_GET = do_POST = do_DELETE = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
