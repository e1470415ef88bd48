#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""A real SMTP server (aiosmtpd) that keeps what it receives.

    smtp_sink.py DIR MODE    prints the port it listens on (127.0.0.1), then serves

Each message becomes DIR/N.eml (the DATA bytes, dot-unstuffed) and DIR/N.json
({"mail_from", "rcpt_tos"}). MODE: ok, or reject (every RCPT gets 550).
"""
import asyncio
import json
import sys

from aiosmtpd.smtp import SMTP

DIR, MODE = sys.argv[1], sys.argv[2]


class Sink:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if MODE == "reject":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        base = "%s/%d" % (DIR, Sink.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        return "250 Message accepted"


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Sink(), hostname="sink.test"), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
