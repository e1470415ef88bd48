#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# End-to-end tests of the built chorus-enroll, driven in a pseudo-terminal by
# enroll_drive.py (codes computed from the key the program shows). One case
# per ctest entry:
#   chorus_enroll_test.sh ENROLL CHORUSCTL CAPI_HELPER EMPTY_ARGV SOURCE_DIR CASE
# Needs root: exits 77 (skip) if not. The root cases use --user and --config
# against a temporary store; the nonroot case runs in a private mount
# namespace (see case_nonroot).
set -u
BIN=$1 CTL=$2 HELPER=$3 EMPTY_ARGV=$4 SRC=$5 CASE=$6
DRIVE="$SRC/tests/tools/enroll_drive.py"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 not installed"; exit 77; }
# The nonroot case re-runs itself in a private mount namespace, so that the
# default state directory and PAM configuration can be replaced for this
# process tree only, without touching the host's.
if [ "$CASE" = nonroot ] && [ -z "${CHORUS_ENROLL_TEST_NS:-}" ]; then
	unshare -m --propagation private true 2> /dev/null || { echo "SKIP: cannot make a mount namespace"; exit 77; }
	exec env CHORUS_ENROLL_TEST_NS=1 unshare -m --propagation private bash "$0" "$@"
fi
T=$(mktemp -d) || exit 1
CLEANUP=()
cleanup() { local c; for c in "${CLEANUP[@]}"; do eval "$c"; done; rm -rf "$T"; }
trap cleanup EXIT
CFG=$T/chorus.yaml
{ echo "store: { path: $T/state }"; echo "password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }"; } > "$CFG"
chmod 600 "$CFG"

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
show() { sed 's/^/  | /' "$1"; }
# run ARGS...: chorus-enroll as root on the test store, stdin from /dev/null;
# RC, stdout in $T/out, stderr in $T/err.
run() { timeout 60 "$BIN" --config "$CFG" "$@" < /dev/null > "$T/out" 2> "$T/err"; RC=$?; }
# drive "STEP;STEP;..." COMMAND...: in a pseudo-terminal; RC, output in $T/tr.
drive() {
	tr ';' '\n' <<< "$1" > "$T/steps"; shift
	python3 "$DRIVE" "$T/tr" "$T/steps" -- "$@" 2> "$T/drive.err"; RC=$?
	[ "$RC" = 97 ] && { fail "driver timed out: $(cat "$T/drive.err")"; show "$T/tr"; }
}
enroll() { drive "$1" timeout 90 "$BIN" --config "$CFG" "${@:2}"; }
ctl() { "$CTL" --config "$CFG" "$@" > "$T/ctl.out" 2>&1 || fail "chorusctl $*: $(cat "$T/ctl.out")"; }
expect_rc() { [ "$RC" = "$1" ] || { fail "$2: exit $RC, want $1"; for f in out err tr; do [ -f "$T/$f" ] && show "$T/$f"; done; }; }
expect_in() { grep -Eq -- "$2" "$T/$1" || { fail "$3: $1 lacks /$2/"; show "$T/$1"; }; }
expect_not_in() { ! grep -Eq -- "$2" "$T/$1" || { fail "$3: $1 has /$2/"; show "$T/$1"; }; }
verify() { "$HELPER" verify "$CFG" "$1" "$2" > "$T/vout" 2>&1; }
need() { command -v "$1" > /dev/null || { echo "SKIP: $1 not installed"; exit 77; }; }

SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
CODE_RE='[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}'
# A first registration answering every question: code, no phone, no email.
REGISTER="expect code from your app;code;expect Phone number;send;expect Email address;send;expect is set up"

case_usage() {
	"$BIN" --help > "$T/out"; RC=$?; expect_rc 0 "--help"; expect_in out '^Usage: chorus-enroll' "--help"
	"$BIN" --version > "$T/out"; RC=$?; expect_rc 0 "--version"; expect_in out '^chorus-enroll [0-9]' "--version"
	run --bogus; expect_rc 2 "unknown option"
	run --remove bogus; expect_rc 2 "--remove bogus"
	run --default email; expect_rc 2 "--default email"
	run --app --list; expect_rc 2 "two actions"; expect_in err 'choose one of' "two actions"
	run --qr=sixel; expect_rc 2 "--qr=sixel"
	run --list extra; expect_rc 2 "an operand"
	run --phone ""; expect_rc 2 "--phone ''"; expect_in err 'use --remove' "--phone ''"
	run --remove; expect_rc 2 "--remove without a value"
}

case_register() {
	# Wrong code, then the right one; a bad phone and email, then good ones.
	enroll "expect code from your app;send 000000;expect does not match;code;expect registered
expect Phone number;send 12ab;expect only digits;send +64 21 555 123
expect Email address;send not an address;expect printable ASCII;send alice@example.com
expect Recovery codes;expect is set up" --user alice --qr=ascii
	expect_rc 0 "registration"
	expect_in tr '^####' "ASCII QR code drawn"
	grep -Eo "$CODE_RE" "$T/tr" > "$T/codes"
	[ "$(wc -l < "$T/codes")" = 10 ] || fail "want 10 recovery codes shown"
	verify alice "$(head -1 "$T/codes")" || fail "a shown recovery code is refused: $(cat "$T/vout")"
	run --user alice --list; expect_rc 0 "--list"
	expect_in out '^  Authenticator app +TOTP SHA1, 6 digits, every 30 s' "app listed"
	expect_in out '^  Phone +\+6421555123  \(not proven' "phone normalized"; expect_in out '^  Email +alice@example.com' "email"
	expect_in out '^  Recovery codes +9 left' "9 codes left"; expect_in out '^  Default method +authenticator app' "default"
	grep -Eq "$CODE_RE" "$T/out" && fail "recovery codes shown again by --list"
	# The state is root's alone.
	find "$T/state" -type f ! \( -user root -perm 600 \) | grep -q . && fail "state not root-owned 0600"
	# A second registration replaces the key; it asks no more questions.
	enroll "expect code from your app;code;expect is set up" --user alice --app --qr=none
	expect_rc 0 "re-registration"; expect_not_in tr 'Phone number' "re-registration asks for a phone"
	run --user alice --list; expect_in out '^  Recovery codes +9 left' "codes kept"
	# Too many wrong codes: nothing saved.
	enroll "expect code from your app;send 1;expect code from your app;send 2;expect code from your app;send 3
expect code from your app;send 4;expect code from your app;send 5;expect registering" --user bob --qr=none
	expect_rc 1 "five wrong codes"; expect_in tr 'chorus-enroll: registering the authenticator app: ' "error format"
	run --user bob --list; expect_in out 'No methods registered' "nothing saved for bob"
}

case_list_never_shows_secret() {
	ctl enroll alice --secret "$SECRET"
	run --user alice --list; expect_rc 0 "--list"
	run --user alice; expect_rc 0 "no option, registered: info only"
	expect_in out '^Security info for alice' "title"; expect_not_in out 'code from your app' "no registration offered"
	for a in --list ""; do
		run --user alice $a
		grep -qi -e "$SECRET" -e 'JBSW' "$T/out" "$T/err" && fail "security info $a shows the key"
	done
	run --user ghost --list; expect_rc 0 "--list of a user without state"; expect_in out 'No methods registered' "ghost"
	run --user 'bad/name' --list; expect_rc 1 "bad user name"; expect_in err '^chorus-enroll: .*: ' "error format"
}

case_remove() {
	run --user bob --remove phone; expect_rc 1 "remove with nothing registered"
	ctl enroll alice --secret "$SECRET"
	run --user alice --remove app; expect_rc 1 "remove the only method"; expect_in err 'only method' "last method"
	ctl recovery-codes alice
	run --user alice --remove app; expect_rc 0 "remove app with codes left"
	run --user alice --list; expect_in out '^  Authenticator app +not registered' "app gone"
	run --user alice --remove recovery; expect_rc 1 "remove the last method (codes)"
	run --user alice --list; expect_in out '^  Recovery codes +10 left' "codes kept"
}

case_default() {
	ctl enroll alice --secret "$SECRET"
	run --user alice --default sms; expect_rc 1 "--default sms without a phone"; expect_in err 'no proven phone' "why"
	run --user alice --phone +6421555123; expect_rc 0 "--phone"
	run --user alice --default sms; expect_rc 1 "--default sms with a phone not proven"
	ctl set-phone --proven alice +6421555123
	run --user alice --default call2; expect_rc 1 "--default call2 without an alternate phone"
	expect_in err 'no proven alternate phone' "why"
	run --user alice --default sms; expect_rc 0 "--default sms"
	run --user alice --list; expect_in out '^  Default method +code by SMS' "default sms"
	run --user alice --default call; expect_rc 0 "--default call"
	run --user alice --remove phone; expect_rc 0 "remove the phone"
	run --user alice --list; expect_in out '^  Default method +authenticator app' "back to the app"
}

case_contact() {
	ctl enroll alice --secret "$SECRET"
	run --user alice --phone 12ab; expect_rc 1 "letters in a phone"; expect_in err 'invalid argument \(.*digits' "why"
	run --user alice --phone 021555123; expect_rc 1 "no country code"; expect_in err 'international form' "why"
	run --user alice --phone '+64 21 555 123'; expect_rc 0 "--phone"
	expect_in out '^Phone \+6421555123 saved, not proven: codes cannot be sent' "normalized, not proven"
	run --user alice --email 'a b@x'; expect_rc 1 "bad email"
	run --user alice --email alice@example.com; expect_rc 0 "--email"
	expect_in out '^Email alice@example.com saved, not proven' "no SMTP"
	run --user alice --phone +6421555999 --email bob@example.org; expect_rc 0 "both at once"
	run --user alice --list; expect_in out '^  Phone +\+6421555999  \(not proven' "phone"
	expect_in out '^  Email +bob@example.org  \(not proven' "email"
	run --user alice --alternate-phone +6421555777; expect_rc 0 "--alternate-phone"
	run --user alice --list; expect_in out '^  Alternate phone +\+6421555777  \(not proven' "alternate phone"
	run --user alice --alternate-phone +6421555999; expect_rc 1 "alternate phone equal to the phone"
	run --user alice --prove-by fax --phone +6421555999; expect_rc 2 "--prove-by fax"
	run --user alice --prove-by sms --email bob@example.org; expect_rc 2 "--prove-by without a phone"
	run --user alice --remove phone2; expect_rc 0 "--remove phone2"
	run --user alice --list; expect_in out '^  Alternate phone +not registered' "alternate phone removed"
}

case_apps() {
	ctl enroll alice --secret "$SECRET"
	run --user alice --rename-app 1; expect_rc 2 "--rename-app without --name"
	run --user alice --name x --list; expect_rc 2 "--name without an app action"
	run --user alice --app --add-app; expect_rc 2 "--app with --add-app"
	# Another app: its own key shown, confirmed by its code, kept beside the first.
	enroll "expect code from your app;send 000000;expect does not match;code;expect a code from any of them works" \
		--user alice --add-app --name "work phone" --qr=none
	expect_rc 0 "--add-app"; expect_in tr 'Or enter this key by hand' "key shown"
	expect_not_in tr 'Phone number' "contacts asked again"
	run --user alice --list
	expect_in out '^    1  \(no name\)$' "first app listed"; expect_in out '^    2  work phone$' "second app listed"
	verify alice "$(oathtool --totp -b "$SECRET")" || fail "the first app's code refused: $(cat "$T/vout")"
	run --user alice --rename-app 1 --name laptop; expect_rc 0 "--rename-app"
	run --user alice --rename-app laptop --name "work phone"; expect_rc 1 "a taken name"; expect_in err 'another app' "why"
	run --user alice --remove-app "work phone"; expect_rc 0 "--remove-app"
	run --user alice --list; expect_in out '^    1  laptop$' "one app left"; expect_not_in out 'work phone' "removed"
	run --user alice --remove-app laptop; expect_rc 1 "the only method"; expect_in err 'only method' "why"
}

case_recovery_codes() {
	run --user alice --recovery-codes; expect_rc 1 "codes before any method"
	ctl enroll alice --secret "$SECRET"
	run --user alice --recovery-codes; expect_rc 0 "--recovery-codes"
	grep -Eo "$CODE_RE" "$T/out" > "$T/old"; [ "$(wc -l < "$T/old")" = 10 ] || fail "want 10 codes"
	run --user alice --recovery-codes; expect_rc 0 "a new set"
	grep -Eo "$CODE_RE" "$T/out" > "$T/new"
	verify alice "$(head -1 "$T/old")" && fail "the old set still works"
	verify alice "$(head -1 "$T/new")" || fail "a new code is refused"
	run --user alice --list; expect_in out '^  Recovery codes +9 left' "9 left"
	grep -Eq "$CODE_RE" "$T/out" && fail "--list shows codes"
}

case_qr_svg() {
	enroll "$REGISTER" --user alice --app --qr-svg "$T/alice.svg"
	expect_rc 0 "--qr-svg"; expect_in tr "QR code written to $T/alice.svg" "message"
	[ "$(stat -c '%U %a' "$T/alice.svg")" = "root 600" ] || fail "svg not 0600 owned by the invoker (root)"
	head -c 200 "$T/alice.svg" | grep -q '<svg' || fail "not an SVG"
	: > "$T/taken.svg"
	run --user bob --app --qr-svg "$T/taken.svg"; expect_rc 1 "existing file"; expect_in err 'File exists' "why"
	ln -s /etc/passwd "$T/link.svg"
	run --user bob --app --qr-svg "$T/link.svg"; expect_rc 1 "symlink"
	run --user bob --list; expect_in out 'No methods registered' "nothing registered for bob"
}

case_qr_png() {
	need zbarimg
	enroll "$REGISTER" --user alice --qr-png "$T/alice.png" --qr=none
	expect_rc 0 "--qr-png"; [ -s "$T/alice.png" ] || fail "no PNG written"
	local uri; uri=$(grep -o 'otpauth://[^[:space:]]*' "$T/tr" | tail -1)
	[ "$(zbarimg --raw -q "$T/alice.png" 2> /dev/null)" = "$uri" ] || fail "PNG does not decode to $uri"
}

case_abandoned() {
	enroll "expect code from your app;close" --user alice --app --qr-svg "$T/gone.svg"
	expect_rc 1 "abandoned registration"
	[ -e "$T/gone.svg" ] && fail "image left behind by an abandoned registration"
	run --user alice --list; expect_in out 'No methods registered' "nothing saved"
}

# Started with argc == 0, closed descriptors or a hostile environment: a
# clean exit status, never a crash (a status >= 128 is a signal).
case_hostile_start() {
	ctl enroll alice --secret "$SECRET"
	"$EMPTY_ARGV" "$BIN" > "$T/out" 2> "$T/err"; RC=$?
	expect_rc 2 "argc == 0"; expect_in err 'without a program name' "argc == 0"
	"$BIN" --config "$CFG" --user alice --list 0<&- 1>&- 2>&-; RC=$?; expect_rc 0 "closed stdio, --list"
	"$BIN" --config "$CFG" --user bob 0<&- 1>&- 2>&-; RC=$?; expect_rc 1 "closed stdio, registration without input"
	env -i PATH=/nonexistent LANG=xx_XX.BOGUS LC_ALL=../../../tmp/x TERM=$'x\e]0;evil\a' IFS=: \
		"$BIN" --config "$CFG" --user alice --list > "$T/out" 2> "$T/err"; RC=$?
	expect_rc 0 "hostile environment"; expect_in out 'Security info for alice' "hostile environment"
}

# A real user running a setuid-root copy: --user and --config are refused,
# and every change needs the password (PAM) and a current second factor.
# Runs in its own mount namespace (see the top of this file): the default
# state directory /var/lib/chorus and /etc/pam.d are replaced by bind mounts
# of temporary copies, so that the PAM service file etc/pam.d/chorus-enroll
# is "installed" for this test only and nothing on the host changes. The
# test user is made with useradd and removed with userdel -r.
case_nonroot() {
	need useradd; need userdel; need chpasswd; need setpriv; need findmnt
	# The default store is replaced by a bind mount; on a machine without
	# Chorus installed its mount point is made for the test and removed after
	# (the unmount first: this namespace is the only one that sees the mount).
	if [ ! -e /var/lib/chorus ]; then
		mkdir -m 700 /var/lib/chorus || fail "making /var/lib/chorus"
		CLEANUP+=("umount /var/lib/chorus 2> /dev/null; rmdir /var/lib/chorus")
	fi
	chmod 755 "$T"
	if findmnt -n -o OPTIONS -T "$T" | grep -qw nosuid; then
		echo "SKIP: $T is on a nosuid mount: a setuid copy would not run as root"; exit 77
	fi
	mkdir -m 700 "$T/state" && mount --bind "$T/state" /var/lib/chorus || fail "bind-mounting the store"
	if [ -d /etc/chorus ]; then mkdir -m 755 "$T/etc-chorus" && mount --bind "$T/etc-chorus" /etc/chorus; fi
	cp -a /etc/pam.d "$T/pam.d" && cp "$SRC/etc/pam.d/chorus-enroll" "$T/pam.d/chorus-enroll" &&
		mount --bind "$T/pam.d" /etc/pam.d || fail "bind-mounting /etc/pam.d"
	local U="ce$$x$RANDOM" PW='Tr0ub4dor&3-x'
	useradd -m -s /bin/sh "$U" || { echo "SKIP: useradd failed"; exit 77; }
	CLEANUP+=("userdel -r '$U' 2> /dev/null")
	echo "$U:$PW" | chpasswd || fail "chpasswd"
	mkdir -m 755 "$T/bin" && cp "$BIN" "$T/bin/chorus-enroll" && chmod 4755 "$T/bin/chorus-enroll"
	mkdir -m 700 "$T/u" "$T/rootonly" && chown "$U:" "$T/u"
	local as_user=(setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups)
	local E=(timeout 90 "${as_user[@]}" "$T/bin/chorus-enroll")

	"${E[@]}" --user root --list > "$T/out" 2> "$T/err" < /dev/null; RC=$?
	expect_rc 1 "--user from a user"; expect_in err '--user is for root only' "--user refused"
	"${E[@]}" --config "$CFG" --list > "$T/out" 2> "$T/err" < /dev/null; RC=$?
	expect_rc 1 "--config from a user"
	"${E[@]}" --list > "$T/out" 2> "$T/err" < /dev/null; RC=$?
	expect_rc 0 "--list as the user"; expect_in out "^Security info for $U\$" "own info"

	# Nothing registered yet: the password, but no second factor, is asked.
	drive "expect Password:;send $PW;expect code from your app;close" "${E[@]}" --app --qr=none
	expect_rc 1 "first registration, abandoned"; expect_not_in tr 'Verification code' "second factor asked of a new user"
	"$CTL" enroll "$U" --secret "$SECRET" > /dev/null || fail "chorusctl enroll"
	"$CTL" recovery-codes "$U" > "$T/codes" 2> /dev/null || fail "chorusctl recovery-codes"
	# Wrong password: refused before any second factor is asked; nothing changes.
	drive "expect Password:;send wrong-$PW;expect password not confirmed" "${E[@]}" --phone +6421555123
	expect_rc 1 "wrong password"; expect_not_in tr 'Verification code' "second factor asked after a wrong password"
	"$CTL" status "$U" | grep -q '^phone: *-$' || fail "phone changed after a wrong password"
	# Right password, wrong code: refused, nothing changes.
	drive "expect Password:;send $PW;expect Verification code:;send 000000;expect confirmed" "${E[@]}" --phone +6421555123
	expect_rc 1 "wrong second factor"
	"$CTL" status "$U" | grep -q '^phone: *-$' || fail "phone changed after a wrong code"
	# Both right: the change is made; the password was not echoed.
	drive "expect Password:;send $PW;expect Verification code:;totp $SECRET;expect not proven" "${E[@]}" --phone +6421555123
	expect_rc 0 "password and code"; grep -qF -- "$PW" "$T/tr" && fail "the password was echoed"
	"$CTL" status "$U" | grep -q '^phone: *+6421555123' || fail "phone not set"
	# A new app with the QR in a file: written with the user's rights.
	drive "expect Password:;send $PW;expect Verification code:;send $(sed -n 2p "$T/codes");expect code from your app
code;expect is set up" "${E[@]}" --app --qr-svg "$T/u/qr.svg" --qr=none
	expect_rc 0 "--app --qr-svg as the user"
	[ "$(stat -c '%U %a' "$T/u/qr.svg" 2> /dev/null)" = "$U 600" ] || fail "image not 0600 owned by $U"
	# Where the user may not write, neither may the image writer.
	"${E[@]}" --app --qr-svg "$T/rootonly/qr.svg" > "$T/out" 2> "$T/err" < /dev/null; RC=$?
	expect_rc 1 "image in a root-only directory"; expect_in err 'Permission denied' "written as the user"
	[ -e "$T/rootonly/qr.svg" ] && fail "image written with root's rights"
}

case_"$CASE"
exit $FAILED
