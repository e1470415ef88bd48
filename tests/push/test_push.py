#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Push approval end to end: a device emulator (push_device.py, written from
docs/PUSH.md) against the real chorus-web and its broker, logins through
the real pam_chorus.so (pamtester), registration through the real
chorus-enroll, state in a real store.

    test_push.py --web W --broker B --deliver D --ctl C --module M --enroll E --reset R --reset-service S
                 [--plugin P] CASE
"""
import argparse
import sys
import time

import push_cases  # noqa: F401  files its cases
from push_env import PushEnv
from web_env import run_case
from push_cases import CASES, CASE_ENV


def main():
    ap = argparse.ArgumentParser()
    for opt in ["web", "broker", "deliver", "ctl", "module", "enroll", "reset", "reset-service"]:
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--plugin", default="")  # the PostgreSQL store plugin
    ap.add_argument("case", choices=sorted(CASES))
    o = ap.parse_args()
    env = PushEnv(o, **CASE_ENV.get(o.case, {}))
    return run_case(env, lambda: CASES[o.case](env))


if __name__ == "__main__":
    sys.exit(main())
