#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""chorus-web at the HTTP level, against the real service, the real SMTP
sink and gateway, real accounts and PAM: the flows (http_flows.py) and the
attacks a public page meets (http_attacks.py).

    test_http.py --web W --broker B --deliver D --ctl C --module M --reset-service S CASE
"""
import argparse
import os
import shutil
import sys

import http_attacks  # noqa: F401  files its cases
import http_flows  # noqa: F401  files its cases
from web_env import HTTP_CASES as CASES, Env, run_case


def main():
    ap = argparse.ArgumentParser()
    for opt in ["web", "broker", "deliver", "ctl", "module", "reset-service"]:
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("case", choices=sorted(CASES))
    o = ap.parse_args()
    extra = {"rate_limit_per_address": "  requests_per_minute: 5\n",
             "rate_limit_per_account": "  account_attempts_per_hour: 3\n",
             "slow_requests": "  request_timeout: 3\n",
             "session_idle_timeout": "  session_idle: 60\n",
             "flows_per_address": "  max_sessions: 16\n  trusted_proxy: true\n",
             "metrics_local_only": "  metrics: true\n"}.get(o.case, "")
    # The metrics case counts on a page of its own.
    config = "audit: { counters: /run/chorus-web-test-%d/counters }\n" % os.getpid() if o.case.startswith("metrics") else ""
    env = Env(o, web_extra=extra, extra_config=config)
    teardown = (lambda: shutil.rmtree("/run/chorus-web-test-%d" % os.getpid(), ignore_errors=True)) if config else None
    return run_case(env, lambda: CASES[o.case](env), teardown)

if __name__ == "__main__":
    sys.exit(main())
