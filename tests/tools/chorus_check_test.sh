#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# chorus-check, the setuid verifier for unprivileged callers: its stdin
# protocol, exit statuses and answer lines, and that nobody but root may
# name a config. (The caller's side: tests/pam/nonroot_test.sh.)
#   chorus_check_test.sh CHORUS_CHECK CHORUSCTL
set -u
CHECK=$1 CTL=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v oathtool >/dev/null || { echo "SKIP: needs oathtool"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
CFG=$T/chorus.yaml
echo "store: { path: $T/state }" > "$CFG"
chmod 600 "$CFG"
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
ask() {  # ask REQUEST -> sets RC and OUT (chorus-check answers for its real uid: root here)
	OUT=$(printf '%b' "$1" | "$CHECK" --config "$CFG"); RC=$?
}
expect() { [ "$RC" = "$1" ] || fail "$2: exit $RC, want $1"; }

ask 'probe\n';            expect 4 "probe before enrollment"
ask 'verify\n123456\n';   expect 1 "verify before enrollment"
SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
"$CTL" --config "$CFG" enroll root --secret "$SECRET" >/dev/null || fail "enroll"
ask 'probe\n';            expect 0 "probe after enrollment"
ask 'account\n';          expect 0 "account, not locked"
CODE=$(oathtool --totp -b "$SECRET")
ask "verify\n$CODE\n";    expect 0 "correct code"
[ "$OUT" = "chorus-check verify ok 0" ] || fail "correct code: answer line '$OUT'"
ask "verify\n$CODE\n";    expect 2 "replayed code"
ask 'verify\n000000\n';   expect 1 "wrong code"
ask 'bogus\n';            expect 10 "unknown request"
[ -z "$OUT" ] || fail "unknown request: an answer line '$OUT'"
for _ in 1 2 3 4 5; do ask 'verify\n000000\n'; done
expect 3 "fifth wrong code locks"
[[ "$OUT" =~ ^chorus-check\ verify\ locked\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] ||
	fail "locked answer gives the seconds left (got '$OUT')"
ask 'account\n';          expect 3 "account while locked"

# From anyone but root, --config is refused outright (status 10) and the
# state is not touched.
before=$(sha256sum "$T"/state/* | sha256sum)
printf 'probe\n' | setpriv --reuid=65534 --regid=65534 --clear-groups "$CHECK" --config "$CFG"
[ $? = 10 ] || fail "non-root --config must be refused"
after=$(sha256sum "$T"/state/* | sha256sum)
[ "$before" = "$after" ] || fail "state changed by a refused call"
# Extra arguments are refused too: identity never comes from argv.
printf 'probe\n' | "$CHECK" someone-else >/dev/null; [ $? = 10 ] || fail "arguments must be refused"

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
