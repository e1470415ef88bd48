#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# End-to-end tests of the built chorusctl. One case per ctest entry:
#   chorusctl_test.sh CHORUSCTL CAPI_HELPER SOURCE_DIR CASE
# Needs root (chorusctl refuses to run otherwise): exits 77 (skip) if not.
set -u
CTL=$1 HELPER=$2 SRC=$3 CASE=$4

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
CFG=$T/chorus.yaml

write_config() {  # extra YAML lines appended
	{
		echo "store: { path: $T/state }"
		echo "password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} > "$CFG"
	chmod 600 "$CFG"
}
write_config

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
# run [--stdin TEXT] ARGS...: runs chorusctl with the test config; sets RC,
# stdout in $T/out, stderr in $T/err.
run() {
	local input=""
	if [ "$1" = --stdin ]; then input=$2; shift 2; fi
	printf '%s' "$input" | timeout 60 "$CTL" --config "$CFG" "$@" > "$T/out" 2> "$T/err"
	RC=$?
}
expect_rc() {
	[ "$RC" = "$1" ] || { fail "$2: exit $RC, want $1"; sed 's/^/  out: /' "$T/out"; sed 's/^/  err: /' "$T/err"; }
}
expect_out() { grep -Eq -- "$1" "$T/out" || { fail "$2: stdout lacks /$1/"; sed 's/^/  out: /' "$T/out"; }; }
expect_err() { grep -Eq -- "$1" "$T/err" || { fail "$2: stderr lacks /$1/"; sed 's/^/  err: /' "$T/err"; }; }
verify() { "$HELPER" verify "$CFG" "$1" "$2" > "$T/vout" 2>&1; }
# json_check FILE PYTHON-EXPR: asserts on the JSON in FILE (as d) when python3 is there.
json_check() {
	command -v python3 > /dev/null || return 0
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert $2" "$1"
}
need() { command -v "$1" > /dev/null || { echo "SKIP: $1 not installed"; exit 77; }; }

SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

case_usage() {
	"$CTL" --help > "$T/out"; RC=$?; expect_rc 0 "--help"; expect_out '^Usage: chorusctl' "--help"
	"$CTL" --version > "$T/out"; RC=$?; expect_rc 0 "--version"; expect_out '^chorusctl [0-9]' "--version"
	"$CTL" > /dev/null 2>&1; RC=$?; expect_rc 2 "no command"
	run frobnicate; expect_rc 2 "unknown command"
	run --bogus status alice; expect_rc 2 "unknown option"
	run status; expect_rc 2 "status without USER"
	run status a b; expect_rc 2 "status with two users"
	run enroll alice --digits; expect_rc 2 "option without value"
	run status --help; expect_rc 0 "status --help"; expect_out '^Usage: chorusctl status USER' "status --help"
	run --config "" list; expect_rc 2 "empty --config"
}

case_nonroot() {
	need setpriv
	local as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	$as_nobody "$CTL" --version > /dev/null 2>&1 || { echo "SKIP: binary not executable by nobody"; exit 77; }
	$as_nobody "$CTL" status alice > "$T/out" 2> "$T/err"; RC=$?
	expect_rc 1 "status as nobody"; expect_err 'must be run as root' "status as nobody"
	$as_nobody "$CTL" --config /nonexistent unlock alice > "$T/out" 2> "$T/err"; RC=$?
	expect_rc 1 "unlock as nobody"
	echo 'Passw0rd!' | $as_nobody "$CTL" check-password --user alice > "$T/out" 2> "$T/err"; RC=$?
	expect_rc 1 "check-password --user as nobody"; expect_err 'must be run as root' "check-password --user as nobody"
	$as_nobody "$CTL" status --help > "$T/out" 2>&1; RC=$?; expect_rc 0 "status --help as nobody"
}

case_enroll_secret_oathtool() {
	need oathtool
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll --secret"
	expect_out "^uri: otpauth://totp/Chorus:alice\?secret=$SECRET" "enroll prints the URI"
	expect_out '^key: JBSW Y3DP EHPK 3PXP' "enroll prints the grouped key"
	local code; code=$(oathtool --totp -b "$SECRET")
	verify alice "$code" || fail "oathtool code refused: $(cat "$T/vout")"
	verify alice "$code" && fail "replayed code accepted"
	run status alice; expect_rc 0 "status"
	expect_out '^failures: +1$' "replay counted as a failure"
	run enroll alice --secret "$SECRET"; expect_rc 1 "enroll over an existing key"; expect_err '\-\-force to replace' "enroll twice"
	run enroll alice --secret "not base32!"; expect_rc 1 "enroll with a bad key"
	run enroll alice --force --secret "JBSWY3DP"; expect_rc 1 "enroll with a 40-bit key"
}

case_enroll_secret_stdin() {
	need oathtool
	run --stdin "$SECRET
" enroll bob --secret -; expect_rc 0 "enroll --secret -"
	verify bob "$(oathtool --totp -b "$SECRET")" || fail "code for a key read from stdin refused"
	run enroll carol --secret -; expect_rc 1 "enroll --secret - with empty stdin"
}

case_enroll_options() {
	need oathtool
	run enroll alice --secret "$SECRET" --algorithm sha256 --digits 8 --period 60; expect_rc 0 "enroll sha256/8/60"
	expect_out 'TOTP SHA256, 8 digits, 60 s' "enroll summary"
	expect_out 'algorithm=SHA256&digits=8&period=60' "URI parameters"
	verify alice "$(oathtool --totp=sha256 --digits=8 --time-step-size=60s -b "$SECRET")" ||
		fail "sha256 code refused: $(cat "$T/vout")"
	run enroll bob --algorithm md5; expect_rc 2 "--algorithm md5"
	run enroll bob --digits 9; expect_rc 2 "--digits 9"
	run enroll bob --period abc; expect_rc 2 "--period abc"
	run enroll bob --period 5; expect_rc 1 "--period 5 (library range)"
	run enroll 'bad/name'; expect_rc 1 "enroll a bad user name"
	run status bob; expect_rc 1 "nothing saved for bob"
}

case_enroll_qr() {
	run enroll alice --qr=ascii; expect_rc 0 "--qr=ascii"; expect_out '^####' "ASCII QR"
	run enroll bob --qr; expect_rc 0 "--qr"
	[ "$(wc -l < "$T/out")" -gt 15 ] || fail "--qr draws no code"
	run enroll carol --qr=ansi; expect_rc 0 "--qr=ansi"; grep -q $'\x1b\[' "$T/out" || fail "ANSI QR has no colours"
	run enroll dave --qr=sixel; expect_rc 2 "--qr=sixel"
}

case_status_never_prints_secret() {
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll"
	for fmt in "" --json; do
		run status alice $fmt; expect_rc 0 "status $fmt"
		grep -qi -e "$SECRET" -e 'JBSW' "$T/out" "$T/err" && fail "status $fmt shows the key"
	done
	run status alice --json
	json_check "$T/out" 'd["user"]=="alice" and d["totp"]["digits"]==6 and d["failures"]==0' ||
		fail "status --json is not the expected JSON"
	run status alice; expect_out '^totp: +SHA1, 6 digits, 30 s period' "status text"
	expect_out '^locked: +no' "status lock"; expect_out '^enrolled at: +[0-9]{4}-' "status enrolled at"
	run status ghost; expect_rc 1 "status of an unknown user"; expect_err '^chorusctl: status ghost: ' "error format"
	run status $'ev\x1bil'; expect_rc 1 "status of a name with ESC"
	grep -q $'\x1b' "$T/err" && fail "raw ESC reached stderr"
	expect_err 'ev\\x1bil' "escaped name in the error"
}

case_list() {
	run list; expect_rc 0 "empty list"; [ -s "$T/out" ] && fail "empty list printed something"
	run enroll alice; run enroll bob; run set-phone bob +6421555123
	run list; expect_out '^bob	app$' "a phone that is not proven is no method"
	run set-phone --proven bob +6421555123; expect_out 'phone set to \+6421555123 \(proven\)' "--proven"
	run list; expect_rc 0 "list"
	[ "$(wc -l < "$T/out")" = 2 ] || fail "list: want 2 lines"
	expect_out '^alice	app$' "list line for alice"; expect_out '^bob	app, phone' "list line for bob"
	run list --json; expect_rc 0 "list --json"
	json_check "$T/out" '[u["user"] for u in d]==["alice","bob"]' || fail "list --json"
	run list extra; expect_rc 2 "list with an operand"
}

# A record of a user seen at a login without a method, first_seen days ago
# (what the account stage writes under the grace policy).
seen_without_method() {
	python3 - "$T/state/$1.rec" "$2" <<'PY'
import hashlib, sys, time
body = "chorus-user 1\ndefault_method app\nfirst_seen %d\nenrolled_at 0\n" % (time.time() - float(sys.argv[2]) * 86400)
with open(sys.argv[1], "w") as f:
    f.write(body + "sha256 " + hashlib.sha256(body.encode()).hexdigest() + "\n")
PY
	chmod 600 "$T/state/$1.rec"
}

case_report() {
	need oathtool
	write_config "lockout: { max_failures: 2 }" "enrollment: { policy: grace, grace_days: 10 }"
	run enroll alice --secret "$SECRET"; run enroll bob --secret "$SECRET"
	verify alice "$(oathtool --totp -b "$SECRET")" || fail "alice's code refused"
	verify bob 000000; verify bob 000001
	seen_without_method carol 5
	seen_without_method dave 20
	run report; expect_rc 0 "report"
	expect_out '^2 of 4 users registered; 1 in grace, 1 ending this week; 1 past grace; 1 locked$' "report totals"
	expect_out '^carol .* 5 days left$' "carol's grace"
	expect_out '^dave .* over$' "dave's grace is over"
	expect_out '^Seen at a login in the last 30 days without a method: carol dave$' "unregistered logins"
	run report --json; expect_rc 0 "report --json"
	json_check "$T/out" 'd["totals"]=={"users":4,"registered":2,"in_grace":1,"grace_ending_this_week":1,"past_grace":1,"locked":1}' ||
		fail "report --json totals"
	json_check "$T/out" '[u["user"] for u in d["users"] if u["last_success"]>0]==["alice"] and d["unregistered_recent"]==["carol","dave"]' ||
		fail "report --json users"
	grep -q "$SECRET" "$T/out" && fail "report printed a key"
	run report extra; expect_rc 2 "report with an operand"
}

case_unlock() {
	need oathtool
	write_config "lockout: { max_failures: 2 }"
	run enroll alice --secret "$SECRET"
	verify alice 000000; verify alice 000001
	run status alice; expect_out '^locked: +yes' "locked after 2 failures"
	verify alice "$(oathtool --totp -b "$SECRET")" && fail "locked user accepted"
	run unlock alice; expect_rc 0 "unlock"; expect_out '^unlocked alice' "unlock message"
	run status alice; expect_out '^locked: +no' "unlocked"; expect_out '^failures: +0' "failures cleared"
	verify alice "$(oathtool --totp -b "$SECRET" -N '+30 seconds')" || fail "code refused after unlock"
	run unlock ghost; expect_rc 1 "unlock an unknown user"
}

case_unenroll() {
	run enroll alice; run unenroll alice; expect_rc 0 "unenroll"; expect_out 'history kept' "unenroll"
	run status alice; expect_rc 1 "state gone"
	run enroll bob; echo 'Old-pass1' | "$HELPER" record "$CFG" bob || fail "record"
	run unenroll bob; run status bob; expect_rc 0 "history keeps bob's record"
	expect_out '^methods: +none' "no methods after unenroll"
	run unenroll bob --all; expect_rc 0 "unenroll --all"; run status bob; expect_rc 1 "all state gone"
	run unenroll ghost; expect_rc 1 "unenroll an unknown user"
}

# flip_byte FILE: xors the middle byte of FILE with 1, in place (a bit rot).
flip_byte() {
	local off b
	off=$(( $(stat -c %s "$1") / 2 ))
	b=$(od -An -tu1 -j "$off" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$off" conv=notrunc status=none
}
# seal_key FILE: a fresh 0600 seal key (64 hex digits).
seal_key() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$1"; chmod 600 "$1"; }
gone() {  # gone USER WHAT: the user's record and live state are removed
	[ -e "$T/state/$1.rec" ] && fail "$2: $1.rec left behind"
	[ -e "$T/state/$1.live" ] && fail "$2: $1.live left behind"
}

# Regression: a record that failed its checksum could not be cleared by any
# chorusctl command, leaving the user locked out for good.
case_unenroll_all_removes_corrupt_record() {
	need oathtool
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll"
	[ -f "$T/state/alice.live" ] || fail "enroll wrote no live state"
	flip_byte "$T/state/alice.rec"
	run status alice; expect_rc 1 "status of a corrupt record"
	run unenroll alice --all; expect_rc 0 "unenroll --all of a corrupt record"
	expect_err 'unreadable' "unenroll --all says it removed an unreadable record"
	gone alice "unenroll --all"
	run status alice; expect_rc 1 "no state after unenroll --all"; expect_err 'no state for user' "status after removal"
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll again"
	verify alice "$(oathtool --totp -b "$SECRET")" || fail "code refused after re-enroll: $(cat "$T/vout")"
}

# Regression: a key sealed with a seal key since replaced (or no longer
# configured) made every command fail with "does not open".
case_unenroll_all_removes_record_sealed_with_lost_key() {
	need oathtool
	seal_key "$T/seal.key"
	{ echo "store: { path: $T/state, seal_key_file: $T/seal.key }"
	  echo "password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }"; } > "$CFG"
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll sealed"
	grep -q '^totp.sealed ' "$T/state/alice.rec" || fail "the key was not sealed"
	seal_key "$T/seal.key"  # rotated: the old key is lost
	run status alice; expect_rc 1 "status with the wrong seal key"
	run enroll alice --force --secret "$SECRET"; expect_rc 1 "enroll over a record sealed with a lost key"
	run unenroll alice --all; expect_rc 0 "unenroll --all with the wrong seal key"
	expect_err 'unreadable' "unenroll --all says it removed an unreadable record"
	gone alice "unenroll --all"
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll with the new seal key"
	verify alice "$(oathtool --totp -b "$SECRET")" || fail "code refused after re-enroll: $(cat "$T/vout")"
	# A sealed record with no seal key configured at all: a config error, same way out.
	write_config
	run status alice; expect_rc 1 "status without a seal key"
	run unenroll alice --all; expect_rc 0 "unenroll --all without a seal key"; gone alice "unenroll --all"
	run enroll alice --secret "$SECRET"; expect_rc 0 "enroll unsealed"
}

# What refuses an unreadable record says how to get out, and keeps the record:
# only unenroll --all discards it.
case_corrupt_record_errors_name_recovery() {
	write_config "lockout: { max_failures: 2 }"
	run enroll alice; expect_rc 0 "enroll"
	verify alice 000000; verify alice 000001
	flip_byte "$T/state/alice.rec"
	cp "$T/state/alice.rec" "$T/corrupt.rec"
	local want='chorusctl unenroll alice --all'
	run status alice; expect_rc 1 "status"; expect_err "$want" "status names the recovery command"
	run enroll alice --force; expect_rc 1 "enroll --force"; expect_err "$want" "enroll names the recovery command"
	run unenroll alice; expect_rc 1 "unenroll without --all"; expect_err "$want" "unenroll names the recovery command"
	run recovery-codes alice; expect_rc 1 "recovery-codes"; expect_err "$want" "recovery-codes"
	run set-phone alice +6421555123; expect_rc 1 "set-phone"; expect_err "$want" "set-phone"
	cmp -s "$T/state/alice.rec" "$T/corrupt.rec" || fail "a refused command changed the corrupt record"
	# unlock touches only the live state, so it still works (and warns).
	run unlock alice; expect_rc 0 "unlock with a corrupt record"; expect_err "$want" "unlock warns"
	cmp -s "$T/state/alice.rec" "$T/corrupt.rec" || fail "unlock changed the corrupt record"
}

case_recovery_codes() {
	run enroll alice
	run recovery-codes alice; expect_rc 0 "recovery-codes"
	[ "$(grep -cE '^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$' "$T/out")" = 10 ] || fail "want 10 codes"
	local code; code=$(head -1 "$T/out")
	verify alice "$code" || fail "recovery code refused"
	grep -q recovery "$T/vout" || fail "method not recovery"
	verify alice "$code" && fail "recovery code accepted twice"
	run status alice; expect_out '^recovery codes: +9 left' "9 left"
	run recovery-codes alice; verify alice "$code" && fail "old set still works"
	run recovery-codes 'bad/name'; expect_rc 1 "recovery-codes for a bad name"
	# Codes that could not be written are reported, not silently lost.
	"$CTL" --config "$CFG" recovery-codes alice > /dev/full 2> "$T/err"; RC=$?
	expect_rc 1 "recovery-codes to a full disk"; expect_err 'writing to standard output failed' "full disk"
}

case_set_contact() {
	run enroll alice
	# Not on a terminal: stored, and said to be not proven.
	run set-phone alice +6421555123 < /dev/null; expect_rc 0 "set-phone"
	expect_out 'phone set to \+6421555123 \(not proven' "set-phone"
	run set-email alice alice@example.com; expect_rc 0 "set-email"
	run status alice; expect_out '^phone: +\+6421555123 \(not proven\)$' "phone shown"
	expect_out '^email: +alice@example.com \(not proven\)$' "email"
	run set-phone --alternate --proven alice +6421555999; expect_rc 0 "set-phone --alternate --proven"
	run status alice; expect_out '^phone2: +\+6421555999$' "alternate phone shown, proven"
	run status --json alice; json_check "$T/out" 'd["phone2_proven"] is True and d["phone_proven"] is False' \
		|| fail "status --json: proofs"
	run set-phone --alternate alice +6421555123; expect_rc 1 "alternate phone equal to the phone"
	run set-phone --prove-by fax alice +6421555123; expect_rc 2 "--prove-by fax"
	run set-default alice sms; expect_rc 1 "default sms with a phone not proven"
	run set-default alice call2; expect_rc 0 "default call2 (proven alternate phone)"
	run status alice; expect_out '^default method: +call2$' "default shown"
	run set-default alice fax; expect_rc 2 "set-default fax"
	# Storing the value already there keeps its proof; a new one starts unproven.
	run set-phone --alternate alice +6421555999 < /dev/null; run status alice
	expect_out '^phone2: +\+6421555999$' "same value keeps its proof"
	run set-phone --alternate alice +6421555888 < /dev/null; run status alice
	expect_out '^phone2: +\+6421555888 \(not proven\)$' "new value loses it"
	run set-phone alice "12ab"; expect_rc 1 "invalid phone"; expect_err 'invalid argument' "invalid phone"
	run set-email alice "not an address"; expect_rc 1 "invalid email"
	run set-phone alice ""; expect_rc 0 "remove phone"; run set-email alice ""; expect_rc 0 "remove email"
	run status alice; expect_out '^phone: +-$' "phone removed"; expect_out '^email: +-$' "email removed"
	run set-phone alice; expect_rc 2 "set-phone without NUMBER"
}

case_blocklist() {
	printf 'Passw0rd!\nletmein\n' > "$T/words"
	run blocklist compile "$T/words" "$T/block.bin"; expect_rc 0 "blocklist compile"
	[ -s "$T/block.bin" ] || fail "no blocklist written"
	{ echo "store: { path: $T/state }"; echo "password:"; echo "  blocklist: $T/block.bin"
	  echo "  history: { argon2: { t_cost: 1, m_cost_kib: 8192 } }"; } > "$CFG"
	run --stdin 'Passw0rd!
' check-password; expect_rc 1 "blocklisted password"
	expect_out '^\[ \] Not a common or leaked password' "blocklist rule unmet"
	run --stdin 'Xyzzy-Plugh7
' check-password; expect_rc 0 "password not in the blocklist"
	run blocklist compile "$T/missing" "$T/b2"; expect_rc 1 "missing word list"
	run blocklist frob a b; expect_rc 2 "blocklist frob"
}

ga_make() {  # ga_make FILE google-authenticator-options...
	need google-authenticator
	local f=$1; shift
	rm -f "$f"
	google-authenticator -f -q -Q NONE -s "$f" "$@" > /dev/null 2>&1 < /dev/null || fail "google-authenticator $*"
}

case_import_ga_totp() {
	need oathtool
	ga_make "$T/ga" -t -d -r 3 -R 30 -w 3 -e 5
	local key; key=$(head -1 "$T/ga")
	run import-google-authenticator alice "$T/ga"; expect_rc 0 "import"
	expect_out 'window 1 step' "window from WINDOW_SIZE 3"; expect_out 'imported 5 scratch' "scratch codes"
	expect_err 'ignored: DISALLOW_REUSE' "reuse reported"; expect_err 'ignored: RATE_LIMIT 3 30' "rate reported"
	verify alice "$(oathtool --totp -b "$key")" || fail "oathtool code refused: $(cat "$T/vout")"
	local scratch; scratch=$(sed -n 's/^\([0-9]\{8\}\)$/\1/p' "$T/ga" | head -1)
	verify alice "$scratch" || fail "scratch code refused: $(cat "$T/vout")"
	verify alice "$scratch" && fail "scratch code accepted twice"
	run status alice; expect_out '^recovery codes: +4 left' "4 scratch codes left"
	# Over an app: imported as another app beside it; the recovery codes left stay.
	run import-google-authenticator alice "$T/ga" --name "old phone"; expect_rc 0 "import beside an app"
	expect_out 'imported as another one, "old phone"' "added"; expect_out 'scratch code\(s\) were not imported' "codes kept"
	run apps alice; expect_out '^1	\(no name\)$' "first app"; expect_out '^2	old phone$' "imported app"
	run import-google-authenticator alice "$T/ga" --name "old phone"; expect_rc 1 "the same name twice"
	run import-google-authenticator alice "$T/ga" --force; expect_rc 0 "import --force"
	run apps alice; [ "$(wc -l < "$T/out")" = 1 ] || fail "--force: one app left"
}

case_apps() {
	need oathtool
	local k2=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
	run apps alice; expect_rc 1 "apps of a user with no state"
	run enroll alice --secret "$SECRET" --name laptop; expect_rc 0 "enroll --name"
	run enroll alice --secret "$k2" --add --name "work phone"; expect_rc 0 "enroll --add"
	run enroll alice --secret "$k2" --add --force; expect_rc 2 "--add with --force"
	run apps alice; expect_out '^1	laptop$' "first"; expect_out '^2	work phone$' "second"
	run status alice; expect_out '^methods: +app$' "status"
	# A code from either app logs in; each app keeps its own used steps.
	local c1 c2; c1=$(oathtool --totp -b "$SECRET"); c2=$(oathtool --totp -b "$k2")
	verify alice "$c2" || fail "the second app's code is refused: $(cat "$T/vout")"
	verify alice "$c1" || fail "the first app's code is refused after the second's: $(cat "$T/vout")"
	verify alice "$c2" && fail "the second app's code accepted twice"
	run unlock alice
	run rename-app alice 2 tablet; expect_rc 0 "rename-app by number"
	run rename-app alice laptop tablet; expect_rc 1 "rename to a taken name"
	run rename-app alice 7 x; expect_rc 1 "rename a missing app"
	run remove-app alice laptop; expect_rc 0 "remove-app the first"
	run apps alice; expect_out '^1	tablet$' "the second app is first now"
	run remove-app alice 1; expect_rc 1 "remove the only method"
	verify alice "$c2" && fail "the promoted app's spent code accepted again"
	run apps alice; expect_out '^1	tablet$' "still there"
}

case_import_ga_window_step() {
	need oathtool
	ga_make "$T/ga" -t -D -u -w 17 -S 60 -e 0
	run import-google-authenticator alice "$T/ga"; expect_rc 0 "import"
	expect_out '60 s period, window 8 step' "step 60, window 8"; expect_out 'no scratch codes' "no codes"
	verify alice "$(oathtool --totp --time-step-size=60s -N '-7 minutes' -b "$(head -1 "$T/ga")")" ||
		fail "a code 7 steps old is refused with window 8: $(cat "$T/vout")"
}

case_import_ga_hotp_refused() {
	ga_make "$T/ga" -c -u -w 3 -e 2
	grep -q HOTP_COUNTER "$T/ga" || fail "not an HOTP file"
	run import-google-authenticator alice "$T/ga"; expect_rc 1 "HOTP import"; expect_err 'HOTP' "HOTP message"
	run status alice; expect_rc 1 "nothing saved"
}

case_import_ga_unsafe_files() {
	printf 'JBSWY3DPEHPK3PXP\n" TOTP_AUTH\n' > "$T/ok"
	ln -s "$T/ok" "$T/link"
	run import-google-authenticator alice "$T/link"; expect_rc 1 "symlink"; expect_err 'symbolic link' "symlink"
	mkfifo "$T/fifo"
	run import-google-authenticator alice "$T/fifo"; expect_rc 1 "FIFO"; expect_err 'not a regular file' "FIFO"
	head -c 5000 /dev/zero | tr '\0' '1' > "$T/big"
	run import-google-authenticator alice "$T/big"; expect_rc 1 "5000 bytes"; expect_err '4 KiB' "size cap"
	printf 'JBSWY3DPEHPK3PXP\nhello\n' > "$T/junk"
	run import-google-authenticator alice "$T/junk"; expect_rc 1 "junk line"; expect_err 'line 2' "junk line"
	run import-google-authenticator alice "$T/missing"; expect_rc 1 "missing file"
	run import-google-authenticator alice; expect_rc 2 "no FILE"
	run status alice; expect_rc 1 "nothing saved"
}

case_check_config() {
	install -m 600 "$SRC/etc/chorus.yaml" "$T/shipped.yaml"
	run check-config "$T/shipped.yaml"; expect_rc 0 "shipped chorus.yaml"; expect_out 'OK' "shipped"
	run check-config; expect_rc 0 "--config file"
	printf 'otp:\n  digits: 9\n  bogus: 1\n' > "$T/bad.yaml"; chmod 600 "$T/bad.yaml"
	run check-config "$T/bad.yaml"; expect_rc 1 "broken config"
	expect_err 'bad.yaml:2:[0-9]+: .*digits' "digits error with line:column"
	expect_err 'bad.yaml:3:[0-9]+: .*bogus' "every error listed"
	chmod 666 "$T/bad.yaml"; cp "$T/shipped.yaml" "$T/ww.yaml"; chmod 666 "$T/ww.yaml"
	run check-config "$T/ww.yaml"; expect_rc 1 "world-writable config"
	run check-config "$T/nonexistent.yaml"; expect_rc 1 "missing config"
	run check-config a b; expect_rc 2 "two files"
}

case_check_password() {
	pw() { run --stdin "$1
" check-password "${@:2}"; }
	pw 'Passw0rd!'; expect_rc 0 "Passw0rd!"; expect_out '^\[x\] At least 8 characters' "checklist"
	expect_out '^OK' "verdict"
	pw 'Abcdef1'; expect_rc 1 "7 characters"; expect_out '^\[ \] At least 8 characters' "min length unmet"
	expect_out '^REFUSED: 1 of' "verdict"
	pw 'Abcdefg1'; expect_rc 0 "8 characters, 3 classes"
	pw 'Abcdefghijklmn1!'; expect_rc 0 "16 characters"
	pw 'Abcdefghijklmno1!'; expect_rc 1 "17 characters"; expect_out '^\[ \] At most 16' "max length unmet"
	pw 'abcdefgh1'; expect_rc 1 "2 classes"; expect_out '^\[ \] At least 3 of' "classes unmet"
	pw 'abcdefg1!'; expect_rc 0 "3 classes without uppercase"
	pw 'xx' ; expect_rc 1 "two rules unmet"; expect_out '^REFUSED: 2 of' "all unmet rules reported"
	pw 'Alice123!' --user alice; expect_rc 1 "contains the user name"
	pw 'Xdoe1234!' --user alice --gecos 'Jane Doe,,,'; expect_rc 1 "contains the GECOS name"
	pw 'Xdoe1234!' --gecos 'Jane Doe'; expect_rc 2 "--gecos without --user"
	echo 'Last-pass1' | "$HELPER" record "$CFG" alice || fail "record"
	pw 'Last-pass1' --user alice; expect_rc 1 "last password on change"
	expect_out '^\[ \] Not your last password' "history rule"
	pw 'Last-pass1' --user alice --reset; expect_rc 0 "last password on reset"
	run check-password; expect_rc 2 "empty stdin"
	run --stdin 'Passw0rd!' check-password --bogus; expect_rc 2 "unknown option"
}

declare -F "case_$CASE" > /dev/null || { echo "no such case: $CASE"; exit 2; }
"case_$CASE"
[ "$FAILED" = 0 ] && echo "PASS: $CASE"
exit "$FAILED"
