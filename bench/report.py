#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Turns the RESULT lines of scripts/bench into tables with ratios and the
issue's targets. Usage: report.py build/bench/results.txt (or results-pg.txt:
the PostgreSQL store's tables)"""
import sys


def parse(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        if not line.startswith("RESULT "):
            continue
        row = {}
        for kv in line.split()[1:]:
            k, _, v = kv.partition("=")
            try:
                row[k] = float(v) if "." in v else int(v)
            except ValueError:
                row[k] = v
        rows.append(row)
    return rows


def find(rows, label, case, procs=None):
    for r in rows:
        if r.get("label") == label and r.get("case") == case and (procs is None or r.get("procs") == procs):
            return r
    return None


def ms(us):
    return f"{us / 1000:.3f}"


def verdict(ok):
    return "met" if ok else "MISSED"


PG = [("pg-tcp", "PostgreSQL, TCP loopback, no TLS"), ("pg-unix", "PostgreSQL, Unix socket"),
      ("pg-tls", "PostgreSQL, TCP + TLS, client cert"), ("file", "file store (same run)")]


def pg_report(rows):
    n = 1000
    print("## PostgreSQL store, N=1000 (median / p99 / mean in ms; ratio = median / file store's)\n")
    print("| store, connection | case | logins | ok | median | p99 | mean | x file | peak RSS KiB | libpq |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in ("correct", "wrong", "replay", "unknown", "fresh_correct", "fresh_wrong"):
        base = find(rows, f"file@{n}", case)
        for lab, name in PG:
            r = find(rows, f"{lab}@{n}", case)
            if not r:
                continue
            ratio = r["median_us"] / base["median_us"] if base else float("nan")
            print(f"| {name} | {case.replace('fresh_', 'new process, ')} | {r['n']} | {r['ok']} | "
                  f"{ms(r['median_us'])} | {ms(r['p99_us'])} | {ms(r['mean_us'])} | {ratio:.1f} | "
                  f"{r['rss_kb']} | {r['pq']} |")
    print("\n## PostgreSQL store: P processes on distinct users (logins/s; scaling = / P=1)\n")
    print("| store, connection | P=1 | P=2 | P=4 | P=8 | scaling P=2 |")
    print("|---|---|---|---|---|---|")
    for lab, name in PG:
        vals = [find(rows, f"{lab}@{n}", "parallel", p) for p in (1, 2, 4, 8)]
        if vals[0]:
            cells = [f"{v['per_s']:.0f} ({v['ok']}/{v['n']} ok)" if v else "-" for v in vals]
            scale = vals[1]["per_s"] / vals[0]["per_s"] if vals[1] else float("nan")
            print(f"| {name} | " + " | ".join(cells) + f" | {scale:.2f} |")
    print("\n## PostgreSQL store: 50 processes, one user, one code\n")
    for r in rows:
        if r.get("case") == "same_user" and r["label"].startswith("pg-"):
            print(f"- {r['label']}: {r['ok']} of {r['n']} succeeded -> {verdict(r['ok'] == 1)}")
        if r.get("case") == "same_user_status" and r["label"].startswith("pg-"):
            print(f"  - failure counter afterwards: {r['failures']} (every refusal counted: 49)")
    print("\n## PostgreSQL store: one correct login's database work, by part (bench/pg_probe.c; median / p99 ms)\n")
    parts = ("connect", "setup", "stmts_new_conn", "close", "total_new_conn", "stmts_warm", "reads_warm")
    print("| connection | connect | setup: SETs, clock, schema (1 round trip) | 7 statements on the new "
          "connection | close | total | 7 statements on a kept connection | the 6 without the write, kept |")
    print("|---|---|---|---|---|---|---|---|")
    for lab, name in PG:
        vals = [find(rows, f"{lab}@{n}", "probe_" + p) for p in parts]
        if vals[0]:
            print(f"| {name} | " + " | ".join(f"{ms(v['median_us'])} / {ms(v['p99_us'])}" for v in vals) + " |")
    print()
    for r in rows:
        if r.get("case") == "io":
            print(f"- disk floor `{r['label']}` (same run): median {ms(r['median_us'])} ms, p99 {ms(r['p99_us'])} ms")
    e = find(rows, f"pg-tcp@{n}", "enroll")
    if e:
        print(f"- enrollment of {e['n']} users through the C API (2 processes, TCP): {e['total_s']:.1f} s")


def main():
    rows = parse(sys.argv[1])
    if any(str(r.get("label", "")).startswith(("pg-", "fleet@")) for r in rows):
        if any(str(r.get("label", "")).startswith("pg-") for r in rows):
            pg_report(rows)
        fleet_report(rows)
        return
    modules = ["permit", "chorus", "chorus-tmpfs", "ga", "ga-secure", "oath"]
    names = {"permit": "pam_permit (floor)", "chorus": "pam_chorus", "chorus-tmpfs": "pam_chorus, state on tmpfs",
             "ga": "google-authenticator, defaults", "ga-secure": "google-authenticator, DISALLOW_REUSE+RATE_LIMIT",
             "oath": "pam_oath (usersfile)"}
    print("## Per login, one process (median / p99 / mean in ms; ratio = median / pam_permit median)\n")
    print("| N | module | case | logins | ok | median | p99 | mean | x floor | peak RSS KiB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in (1000, 100000):
        floor = find(rows, f"permit@{n}", "correct")
        for m in modules:
            for case in ("correct", "wrong", "replay", "unknown"):
                r = find(rows, f"{m}@{n}", case)
                if not r:
                    continue
                ratio = r["median_us"] / floor["median_us"] if floor else float("nan")
                print(f"| {n} | {names[m]} | {case} | {r['n']} | {r['ok']} | {ms(r['median_us'])} | "
                      f"{ms(r['p99_us'])} | {ms(r['mean_us'])} | {ratio:.1f} | {r['rss_kb']} |")
    print()
    for r in rows:
        if r.get("case") == "io":
            print(f"- disk floor `{r['label']}`: median {ms(r['median_us'])} ms, p99 {ms(r['p99_us'])} ms")
    ch = find(rows, "chorus@1000", "correct")
    if ch:
        print(f"- libcurl mapped in the login process: {ch['curl']}; libpq: {ch['pq']}")
    print("\n## Chorus relative to each peer (median of a correct login, N=1000)\n")
    if ch:
        for m in ("permit", "chorus-tmpfs", "ga", "ga-secure", "oath"):
            r = find(rows, f"{m}@1000", "correct")
            if r:
                print(f"- pam_chorus / {names[m]}: {ch['median_us'] / r['median_us']:.2f}")

    print("\n## Throughput, P processes on distinct users (logins/s; scaling = / P=1)\n")
    print("| module | state | P=1 | P=2 | P=4 | P=8 | scaling P=2 |")
    print("|---|---|---|---|---|---|---|")
    for r1 in [r for r in rows if r.get("case") == "parallel" and r.get("procs") == 1]:
        lab = r1["label"]
        vals = [find(rows, lab, "parallel", p) for p in (1, 2, 4, 8)]
        cells = [f"{v['per_s']:.0f} ({v['ok']}/{v['n']} ok)" if v else "-" for v in vals]
        scale = vals[1]["per_s"] / vals[0]["per_s"] if vals[1] else float("nan")
        print(f"| {lab.split('@')[0]} | N={lab.split('@')[1]} | " + " | ".join(cells) + f" | {scale:.2f} |")

    print("\n## 50 processes, one user, one code\n")
    for r in rows:
        if r.get("case") == "same_user":
            print(f"- {r['label']}: {r['ok']} of {r['n']} succeeded")
        if r.get("case") == "same_user_status":
            print(f"  - Chorus failure counter afterwards: {r['failures']} (expected {50 - 1} = every refusal counted)")

    print("\n## Password path (µs per candidate unless noted)\n")
    for r in rows:
        if r.get("label") in ("chorus-pw", "pwquality", "chorus-history", "argon2id"):
            print(f"- {r['label']} {r['case']}: n={r['n']} passed={r['ok']} median {r['median_us']:.2f} µs, "
                  f"p99 {r['p99_us']:.2f} µs, mean {r['mean_us']:.2f} µs")

    print("\n## Targets (issue 8)\n")
    p = find(rows, "permit@1000", "correct")
    gs = find(rows, "ga-secure@1000", "correct")
    w = find(rows, "chorus@1000", "wrong")
    if ch and p:
        print(f"- correct login <= 1.5x pam_permit: {ch['median_us'] / p['median_us']:.1f}x -> "
              f"{verdict(ch['median_us'] <= 1.5 * p['median_us'])}")
    if ch and gs:
        print(f"- <= 0.5x google-authenticator DISALLOW_REUSE+RATE_LIMIT: {ch['median_us'] / gs['median_us']:.2f}x -> "
              f"{verdict(ch['median_us'] <= 0.5 * gs['median_us'])}")
    if ch and w:
        print(f"- wrong code costs no more than a right one: {w['median_us'] / ch['median_us']:.2f}x -> "
              f"{verdict(w['median_us'] <= 1.05 * ch['median_us'])}")
    tc, tw = find(rows, "chorus-tmpfs@1000", "correct"), find(rows, "chorus-tmpfs@1000", "wrong")
    if tc and tw:
        print(f"  - same, state on tmpfs (CPU cost without the flush): {tw['median_us'] / tc['median_us']:.2f}x -> "
              f"{verdict(tw['median_us'] <= 1.05 * tc['median_us'])}")
    big = find(rows, "chorus@100000", "correct")
    if ch and big:
        d = big["median_us"] / ch["median_us"]
        print(f"- 100,000 users within 10% of 1,000: {d:.2f}x -> {verdict(d <= 1.10)}")
    for lab in ("chorus@100000", "chorus@1000"):
        a, b = find(rows, lab, "parallel", 1), find(rows, lab, "parallel", 2)
        if a and b:
            s = b["per_s"] / a["per_s"]
            print(f"- 2 processes >= 1.7x one ({lab}): {s:.2f}x -> {verdict(s >= 1.7)}")
            break
    cp = find(rows, "chorus-pw", "candidate")
    if cp:
        print(f"- checklist + 1M blocklist <= 10 µs: {cp['median_us']:.2f} µs -> {verdict(cp['median_us'] <= 10)}")
    h5 = find(rows, "chorus-history", "n5")
    if h5:
        print(f"- history N=5 < 300 ms: {h5['median_us'] / 1000:.0f} ms -> {verdict(h5['median_us'] < 300000)}")
    if ch:
        print(f"- no libcurl/libpq in the login process: {verdict(ch['curl'] == 0 and ch['pq'] == 0)}")
    cpu_p, cpu_c, cpu_g = (find(rows, "cpu@bench-" + m, "correct") for m in ("permit", "chorus-tmpfs", "ga"))
    if cpu_p and cpu_c and cpu_g:
        above_c = cpu_c["median_us"] - cpu_p["median_us"]
        above_g = cpu_g["median_us"] - cpu_p["median_us"]
        print("\n## Target (issue 14): the login's CPU above the pam_permit floor\n")
        print(f"- CPU per login (median, interleaved): pam_permit {cpu_p['median_us']:.0f} µs, "
              f"pam_chorus (tmpfs) {cpu_c['median_us']:.0f} µs, google-authenticator {cpu_g['median_us']:.0f} µs")
        if above_g > 0:
            r = above_c / above_g
            print(f"- above the floor: pam_chorus {above_c:.0f} µs, google-authenticator {above_g:.0f} µs: "
                  f"{r:.1f}x (target <= 2x) -> {verdict(r <= 2.0)}")


def fleet_report(rows):
    """bench/fleet_sim.py's lines (issue 13's targets)."""
    tp = [r for r in rows if r.get("label", "").startswith("fleet@") and r.get("case") == "throughput"]
    if not tp:
        return
    r = tp[0]
    print("\n## Fleet simulation (%s hosts through PgBouncer, transaction mode)\n" % r["label"].split("@")[1])
    print(f"- {r['per_s']:.0f} logins/s ({int(r['n'])} logins: {int(r['ok'])} accepted, {int(r['replay'])} replays "
          f"of a code used in the same step, {int(r['errors'])} errors); p50 {r['p50_ms']:.1f} ms, "
          f"p99 {r['p99_ms']:.1f} ms")
    print(f"- server connections of the host roles at most {int(r['server_conns_max'])} "
          f"(pool limit {int(r['pool'])}) -> {verdict(r['server_conns_max'] <= r['pool'])}")
    print(f"- p99 under 50 ms: {verdict(r['p99_ms'] < 50)}; no errors: {verdict(r['errors'] == 0)}")
    one = find(rows, r["label"], "one_code")
    if one:
        print(f"- one code from every host at once: {int(one['ok'])} accepted -> {verdict(one['ok'] == 1)}")
    fc = find(rows, r["label"], "failures_counted")
    if fc:
        print(f"- one wrong code from every host at once: {int(fc['refused'])} refused, {int(fc['counted'])} "
              f"counted -> {verdict(fc['counted'] == fc['hosts'])}")


if __name__ == "__main__":
    main()
