#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The setuid helpers (root-run copies: chorus-check and chorus-enroll) under a
# hostile environment and hostile limits: LD_PRELOAD/LD_LIBRARY_PATH at a
# bogus directory, GCONV_PATH, PATH at a directory of booby-trapped programs,
# LANG=xx, TMPDIR=/nonexistent, `ulimit -n 4`, `ulimit -f 1`. Each run either
# refuses safely (non-zero, a message on stderr) or works correctly (the exit
# status and the state change a plain run gives); afterwards the state is
# never truncated or corrupt (chorusctl status works, --json parses, the
# counters are the old or the new ones) and no stray file is left in the
# state directory; the booby traps never run.
#   helpers_hostile_env.sh CHORUS_CHECK CHORUS_ENROLL CHORUSCTL
# Needs root: exits 77 (skip) if not.
set -u
CHECK=$1 ENROLL=$2 CTL=$3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 not installed"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
CFG=$T/chorus.yaml
{
	echo "store: { path: $T/state }"
	echo "lockout: { max_failures: 1000 }" # the wrong codes below must never lock
	echo "password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }"
} > "$CFG"
chmod 600 "$CFG"
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
show() { sed 's/^/  | /' "$1"; }
SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
CODE_RE='[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}'

# The attacker's directory: a bogus library, a bogus gconv module list, and
# programs under common names that leave a mark when run.
BOGUS=$T/bogus EVIL=$T/evil
mkdir -p "$BOGUS" "$EVIL"
echo "not an ELF file" > "$BOGUS/libevil.so"
printf 'module INTERNAL EVIL// %s/evil 1\nalias UTF-8// EVIL//\n' "$BOGUS" > "$BOGUS/gconv-modules"
for p in sh bash cat ls sed awk grep sendmail stty tput less more pager id tr env logger systemd-cat; do
	printf '#!/bin/sh\ntouch %s/TRAPPED\n' "$T" > "$EVIL/$p"
	chmod 755 "$EVIL/$p"
done

# status USER FIELD: the field from chorusctl status --json (fails the test
# when status fails or the JSON doesn't parse).
status() {
	if ! "$CTL" --config "$CFG" status "$1" --json > "$T/status.json" 2> "$T/status.err"; then
		fail "chorusctl status $1 after [$COND]: $(cat "$T/status.err")"
		echo "?"
		return
	fi
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/status.json" "$2" 2> "$T/py.err" ||
		{ fail "status $1 --json does not parse after [$COND]"; show "$T/status.json"; echo "?"; }
}
# The state dir's names, for spotting leftovers (temp files).
names() { (cd "$T/state" && ls -A | sort | tr '\n' ' '); }

"$CTL" --config "$CFG" enroll root --secret "$SECRET" > /dev/null || fail "enroll root"
"$CTL" --config "$CFG" enroll alice --secret "$SECRET" > /dev/null || fail "enroll alice"
"$CTL" --config "$CFG" recovery-codes root > "$T/codes.out" 2>&1 || fail "recovery-codes root"
grep -Eo "$CODE_RE" "$T/codes.out" > "$T/codes"
[ "$(wc -l < "$T/codes")" = 10 ] || fail "want 10 recovery codes"
NAMES=$(names)

# run_cond CONDITION COMMAND...: COMMAND under one hostile condition, stdin
# from $T/in (a file, not a pipe: with `ulimit -n 4` bash can't make one);
# RC, stdout in $T/out, stderr in $T/err.
run_cond() {
	local cond=$1; shift
	case $cond in
	ld) env LD_PRELOAD="$BOGUS/libevil.so" LD_LIBRARY_PATH="$BOGUS" LD_AUDIT="$BOGUS/libevil.so" "$@" ;;
	gconv) env GCONV_PATH="$BOGUS" CHARSET=EVIL LC_ALL=C.UTF-8 "$@" ;;
	path) env PATH="$EVIL" SHELL="$EVIL/sh" PAGER="$EVIL/less" EDITOR="$EVIL/sh" "$@" ;;
	lang) env LANG=xx LC_ALL=xx LC_MESSAGES=../../../../tmp/xx LANGUAGE=xx "$@" ;;
	tmpdir) env TMPDIR=/nonexistent TMP=/nonexistent TEMP=/nonexistent "$@" ;;
	# Descriptors inherited from the caller (ctest keeps some open) closed
	# first, so the limit leaves exactly one free, as in a login session.
	nofile) bash -c 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
		ulimit -n 4 && exec "$@"' hostile "$@" ;;
	fsize) bash -c 'trap "" XFSZ; ulimit -f 1 && exec "$@"' hostile "$@" ;;
	fsize_sig) bash -c 'ulimit -f 1 && exec "$@"' hostile "$@" ;;
	esac < "$T/in" > "$T/out" 2> "$T/err"
	RC=$?
}

# worked TOOL DESCRIPTION OK_STATUS: whether the run worked (exit OK_STATUS)
# or refused safely; 0 when it worked, 1 when it refused. A safe refusal is
# a death by the limit's own signal, or: for chorus-check (which answers with
# its exit status only and logs to syslog, in the unix_chkpwd model) exit 10;
# for chorus-enroll a non-zero exit with a message on stderr. chorus-check's
# 1-4 are answers (wrong, replay, locked, none): giving another than OK_STATUS
# is working wrongly, not refusing.
worked() {
	[ "$RC" = "$3" ] && return 0
	if [ "$RC" -ge 128 ]; then
		SIGNALLED=1
	elif [ "$1" = check ] && [ "$RC" != 10 ]; then
		fail "[$COND] $2: exit $RC, want $3 or 10 (refusal)"
	elif [ "$1" = enroll ] && { [ "$RC" = 0 ] || [ ! -s "$T/err" ]; }; then
		fail "[$COND] $2: exit $RC, want $3 or a refusal with a message"; show "$T/out"
	fi
	echo "  [$COND] $2: refused with exit $RC: $(head -c 200 "$T/err" | tr '\n' ' ')"
	return 1
}

N=0
for COND in ld gconv path lang tmpdir nofile fsize fsize_sig; do
	rm -f "$T/TRAPPED"
	SIGNALLED=0

	# chorus-check, a wrong code: counted once, or refused and not counted.
	before=$(status root failures)
	printf 'verify\n000000\n' > "$T/in"
	run_cond "$COND" "$CHECK" --config "$CFG"
	after=$(status root failures)
	if worked check "chorus-check wrong code" 1; then
		[ "$after" = $((before + 1)) ] || fail "[$COND] wrong code: failures $before -> $after, want +1"
	else
		[ "$after" = "$before" ] || [ "$after" = $((before + 1)) ] ||
			fail "[$COND] refused wrong code: failures $before -> $after"
	fi

	# chorus-check, a recovery code (rewrites the full record, > 1 KiB):
	# consumed exactly when accepted.
	N=$((N + 1))
	code=$(sed -n "${N}p" "$T/codes")
	before=$(status root recovery_codes_left)
	printf 'verify\n%s\n' "$code" > "$T/in"
	run_cond "$COND" "$CHECK" --config "$CFG"
	after=$(status root recovery_codes_left)
	if worked check "chorus-check recovery code" 0; then
		[ "$after" = $((before - 1)) ] || fail "[$COND] recovery code accepted: left $before -> $after"
	else
		[ "$after" = "$before" ] || fail "[$COND] recovery code refused but consumed: left $before -> $after"
	fi

	# chorus-enroll --list: read only.
	: > "$T/in"
	run_cond "$COND" "$ENROLL" --config "$CFG" --user alice --list
	if worked enroll "chorus-enroll --list" 0; then
		grep -q 'Security info for alice' "$T/out" || { fail "[$COND] --list output"; show "$T/out"; }
	fi

	# chorus-enroll --recovery-codes: a new set of 10, or the old set kept.
	"$CTL" --config "$CFG" status alice --json > "$T/alice.before" 2>&1
	run_cond "$COND" "$ENROLL" --config "$CFG" --user alice --recovery-codes
	left=$(status alice recovery_codes_left)
	if worked enroll "chorus-enroll --recovery-codes" 0; then
		[ "$(grep -Eoc "$CODE_RE" "$T/out")" = 10 ] || { fail "[$COND] want 10 new codes"; show "$T/out"; }
		[ "$left" = 10 ] || fail "[$COND] alice has $left codes after a new set"
	else
		"$CTL" --config "$CFG" status alice --json > "$T/alice.after" 2>&1
		cmp -s "$T/alice.before" "$T/alice.after" || fail "[$COND] refused --recovery-codes changed alice's state"
	fi

	[ -e "$T/TRAPPED" ] && fail "[$COND] a program from PATH was run"
	now=$(names)
	if [ "$now" != "$NAMES" ] && [ "$SIGNALLED" = 1 ]; then
		# Killed mid-write by the limit's signal (SIGXFSZ): a temp file may be
		# left, as after any kill; the next plain write must work and clear it.
		echo "  [$COND] left after the signal: [$now]"
		"$ENROLL" --config "$CFG" --user alice --recovery-codes < /dev/null > "$T/out" 2> "$T/err" ||
			{ fail "[$COND] a plain --recovery-codes after the kill"; show "$T/err"; }
		[ "$(status alice recovery_codes_left)" = 10 ] || fail "[$COND] alice's codes after the rerun"
		now=$(names)
	fi
	[ "$now" = "$NAMES" ] || fail "[$COND] state dir names changed: [$NAMES] -> [$now]"
	find "$T/state" -type f -size 0 ! -name '*.lock' | grep -q . && fail "[$COND] a zero-length state file: $(find "$T/state" -type f -size 0 ! -name '*.lock')"
done

# After all that, a plain login works and the counters add up.
printf 'verify\n%s\n' "$(sed -n "$((N + 1))p" "$T/codes")" | "$CHECK" --config "$CFG" > /dev/null
[ $? = 0 ] || fail "a plain recovery-code login afterwards"
CODE=$(python3 -c '
import hmac,hashlib,struct,time,base64,sys
k=base64.b32decode(sys.argv[1]); s=int(time.time())//30
h=hmac.new(k,struct.pack(">Q",s),hashlib.sha1).digest(); o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$SECRET")
printf 'verify\n%s\n' "$CODE" | "$CHECK" --config "$CFG" > /dev/null
[ $? = 0 ] || fail "a plain TOTP login afterwards"

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
