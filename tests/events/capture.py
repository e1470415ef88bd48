# SPDX-License-Identifier: BSD-2-Clause
"""The audit events a test causes, for the suites that check them: read
from the suite's collector (scripts/test sets CHORUS_EVENTS_CAPTURE) or,
when a test runs alone, from a collector started here in a thread. The
sockets are the host's: tests that may start one hold the ctest resource
lock chorus_event_sockets."""
import os
import tempfile
import threading
import time

import collector


class CaptureUnavailable(Exception):
    """A real journald or syslog daemon listens: nothing can be captured."""


class Capture:
    def __init__(self):
        self.collector = None
        self.thread = None
        self.stop = []
        self.tmp = None
        self.path = os.environ.get("CHORUS_EVENTS_CAPTURE")

    def open(self):
        if self.path:
            return self
        self.tmp = tempfile.mkdtemp(prefix="chorus-capture.")
        self.path = os.path.join(self.tmp, "capture.jsonl")
        self.collector = collector.Collector(self.path)
        try:
            self.collector.open()
        except RuntimeError as e:
            raise CaptureUnavailable(str(e))
        self.thread = threading.Thread(target=self.collector.serve, args=(lambda: bool(self.stop),), daemon=True)
        self.thread.start()
        return self

    def close(self):
        if self.thread:
            self.stop.append(1)
            self.thread.join(5)
            self.collector.close()
            self.thread = None
        if self.tmp:
            for name in os.listdir(self.tmp):
                os.unlink(os.path.join(self.tmp, name))
            os.rmdir(self.tmp)
            self.tmp = None

    def records(self, since):
        return [r for r in collector.read_capture(self.path) if r.get("t", 0) >= since]

    def events(self, since, **match):
        """Events since `since` whose fields equal match (CHORUS_USER="bob")."""
        return [f for f in collector.events(self.records(since))
                if all(f.get(k) == v for k, v in match.items())]

    def wait(self, count, since, timeout=10, **match):
        """The matching events once `count` have arrived, after a moment
        more for any that should not be there."""
        end = time.time() + timeout
        while len(self.events(since, **match)) < count and time.time() < end:
            time.sleep(0.1)
        time.sleep(0.3)
        return self.events(since, **match)


def tally(evs):
    """{(event, result, method): count}."""
    out = {}
    for f in evs:
        key = (f["CHORUS_EVENT"], f["CHORUS_RESULT"], f.get("CHORUS_METHOD", "none"))
        out[key] = out.get(key, 0) + 1
    return out
