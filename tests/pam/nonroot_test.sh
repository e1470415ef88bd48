#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The unprivileged caller path, end to end: a PAM application running as an
# ordinary user (nonroot_app, as a screen locker does) loads the real
# pam_chorus.so, which asks the setuid chorus-check installed at the path the
# library was built with. Wrong, replayed and right codes under every SIGCHLD
# disposition an application may leave; a helper that is missing, not
# setuid, killed, /bin/true, or answering garbage or for another request;
# a hostile caller (umask, file-size limit); lockout and PAM_SILENT.
#   nonroot_test.sh APP MODULE CHECK CHORUSCTL LIBEXECDIR
# Runs in a private mount namespace: the default state directory, the
# configuration directory and the helper's directory are bind mounts of
# private directories, seen by this process tree only. Needs root (77: skip).
set -u
APP=$1 MODULE=$2 CHECK=$3 CTL=$4 LIBEXEC=$5

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
for c in python3 useradd userdel chpasswd setpriv unshare findmnt; do
	command -v "$c" > /dev/null || { echo "SKIP: $c not installed"; exit 77; }
done
if [ -z "${CHORUS_NONROOT_NS:-}" ]; then
	unshare -m --propagation private true 2> /dev/null || { echo "SKIP: cannot make a mount namespace"; exit 77; }
	exec env CHORUS_NONROOT_NS=1 unshare -m --propagation private bash "$0" "$@"
fi

T=$(mktemp -d) || exit 1
chmod 755 "$T"
CLEANUP=()
cleanup() { local i; for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}"; done; rm -rf "$T"; }
trap cleanup EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }
show() { sed 's/^/  | /' "$1"; }

if findmnt -n -o OPTIONS -T "$T" | grep -qw nosuid; then
	echo "SKIP: $T is on a nosuid mount: a setuid copy would not run as root"; exit 77
fi

# over DIR PRIVATE: bind-mounts PRIVATE over DIR, making DIR (and parents)
# first if the machine has none; removed again afterwards.
over() {
	local dir=$1 private=$2 d=$1 made=()
	while [ ! -e "$d" ]; do made+=("$d"); d=$(dirname "$d"); done
	if [ ${#made[@]} -gt 0 ]; then
		mkdir -p -m 755 "$dir" || { fail "mkdir $dir"; return 1; }
		local m; for m in "${made[@]}"; do CLEANUP+=("rmdir '$m' 2> /dev/null"); done
	fi
	mount --bind "$private" "$dir" || { fail "bind-mounting $dir"; return 1; }
	CLEANUP+=("umount '$dir' 2> /dev/null")
}

mkdir -m 700 "$T/state" && over /var/lib/chorus "$T/state" || exit 1
mkdir -m 755 "$T/etc" && over /etc/chorus "$T/etc" || exit 1
mkdir -m 755 "$T/libexec" && over "$LIBEXEC" "$T/libexec" || exit 1
# Readable by the user (the module reads it in the user's process); owned by
# root and writable by nobody else, as the loader requires.
cat > /etc/chorus/chorus.yaml <<EOF
lockout: { max_failures: 3, lock_seconds: 600 }
enrollment: { policy: optional }
password: { history: { argon2: { t_cost: 1, m_cost_kib: 8192 } } }
EOF
chmod 644 /etc/chorus/chorus.yaml
HELPER=$LIBEXEC/chorus-check
install_real_helper() { rm -f "$HELPER" && cp "$CHECK" "$HELPER" && chown root:root "$HELPER" && chmod 4755 "$HELPER"; }
# fake_helper BODY: a root-owned script at the helper's path (not setuid:
# scripts can't be); it answers a probe as the real helper would, so that
# the verify request reaches BODY.
fake_helper() {
	rm -f "$HELPER"
	cat > "$HELPER" <<EOF
#!/bin/bash
read -r op
ls -l /proc/\$\$/fd > "$T/fake/fds" 2>&1
env > "$T/fake/env"
if [ "\$op" = probe ]; then echo "chorus-check probe ok 0"; exit 0; fi
$1
EOF
	chmod 755 "$HELPER"
}
install_real_helper || { fail "installing the helper"; exit 1; }
mkdir -m 1777 "$T/fake"  # what the fake helpers saw (they run as the user)

mkdir -m 755 "$T/pam.d"
printf 'auth required pam_permit.so\nauth required %s\naccount required %s\n' "$MODULE" "$MODULE" > "$T/pam.d/chorus-nonroot"
# The account stage alone (the lockout check a screen locker's stack runs).
printf 'auth required pam_permit.so\naccount required %s\n' "$MODULE" > "$T/pam.d/chorus-acct-only"
# Password and code in one answer: the module keeps the code and hands the
# password to pam_unix (which, for a non-root caller, asks unix_chkpwd).
printf 'auth required %s forward_pass\nauth required pam_unix.so use_first_pass\naccount required %s\n' \
	"$MODULE" "$MODULE" > "$T/pam.d/chorus-forward"
chmod 644 "$T/pam.d/"*

SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
totp() {
	python3 -c '
import hmac,hashlib,struct,time,base64,sys
k=base64.b32decode(sys.argv[1]); s=int(time.time())//30+int(sys.argv[2])
h=hmac.new(k,struct.pack(">Q",s),hashlib.sha1).digest(); o=h[-1]&15
print("%06d"%((struct.unpack(">I",h[o:o+4])[0]&0x7fffffff)%1000000))' "$SECRET" "${1:-0}"
}
# A code that no step of the window accepts.
wrong_code() {
	local a b c v=123456
	a=$(totp -1) b=$(totp 0) c=$(totp 1)
	while [ "$v" = "$a" ] || [ "$v" = "$b" ] || [ "$v" = "$c" ]; do v=$((v + 1)); done
	echo "$v"
}
N=0
# new_user [none]: a new account in U, enrolled with SECRET unless "none".
new_user() {
	N=$((N + 1))
	U="cn$$x$N"
	useradd -M -s /usr/sbin/nologin "$U" || { echo "SKIP: useradd failed"; exit 77; }
	CLEANUP+=("userdel '$U' 2> /dev/null")
	if [ "${1:-enroll}" = enroll ]; then "$CTL" enroll "$U" --secret "$SECRET" > /dev/null || fail "enrolling $U"; fi
}
failures() { "$CTL" status "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["failures"])'; }
# app USER SIGCHLD CODE [silent]: the application as USER; RC and $T/out.
# HOSTILE="ulimit ..." starts it with umask 777 and those limits (its output
# goes through a pipe, which a file-size limit does not cover; SIGXFSZ is
# ignored so that a coverage build's counters, written at exit, cannot kill it).
# SERVICE picks another service file; AS_USER names another user to PAM
# than the one the application runs as.
app() {
	local u=$1 wrap=()
	shift
	[ -n "${HOSTILE:-}" ] && wrap=(bash -c "umask 777; trap '' XFSZ; $HOSTILE; exec \"\$@\"" hostile)
	(cd "$T" && timeout 60 setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
		env -i USER="${AS_USER:-$u}" PATH=/usr/bin:/bin "${wrap[@]}" "$APP" "$T/pam.d" "${SERVICE:-chorus-nonroot}" "$@") 2>&1 | cat > "$T/out"
	RC=${PIPESTATUS[0]}
}
expect() {  # expect RC PATTERN WHAT
	[ "$RC" = "$1" ] || { fail "$3: exit $RC, want $1"; show "$T/out"; return; }
	grep -Eq -- "$2" "$T/out" || { fail "$3: output lacks /$2/"; show "$T/out"; }
}

# 1. Wrong, right and replayed codes, whatever the caller did with SIGCHLD.
for mode in default ignore nocldwait reap; do
	new_user
	app "$U" "$mode" "$(wrong_code)"
	expect 1 'auth=Authentication failure' "[$mode] wrong code"
	[ "$(failures "$U")" = 1 ] || fail "[$mode] wrong code not counted ($(failures "$U"))"
	CODE=$(totp)
	app "$U" "$mode" "$CODE"
	expect 0 'account=Success' "[$mode] right code"
	[ "$(failures "$U")" = 0 ] || fail "[$mode] failures not cleared"
	app "$U" "$mode" "$CODE"
	expect 1 'error: Code expired or already used' "[$mode] replayed code"
	[ "$mode" = reap ] && { grep -q 'handler=ran' "$T/out" || fail "[reap] the application's handler was not restored"; }
done

# 2. A helper that is missing, not setuid, killed, /bin/true, or answers
# garbage or for another request: each denies the right code, which then
# still works with the real helper (nothing consumed it).
new_user
CODE=$(totp)
rm -f "$HELPER"
app "$U" ignore "$CODE"
expect 1 'auth=' "missing helper"
install_real_helper && chmod 755 "$HELPER"
app "$U" ignore "$CODE"
expect 1 'auth=' "helper not setuid"
fake_helper 'kill -KILL $$'
app "$U" ignore "$CODE"
expect 1 'auth=' "helper killed"
fake_helper 'printf "garbage\n"; exit 0'
app "$U" ignore "$CODE"
expect 1 'auth=' "helper answering garbage"
fake_helper 'exit 0'
app "$U" ignore "$CODE"
expect 1 'auth=' "helper exiting 0 with no answer (as /bin/true)"
fake_helper 'echo "chorus-check probe ok 0"; exit 0'
app "$U" ignore "$CODE"
expect 1 'auth=' "helper answering another request"
fake_helper 'echo "chorus-check verify ok 0"; exit 1'
app "$U" reap "$CODE"
expect 1 'auth=' "helper whose status and answer disagree"
# What the helper was given: stdin, stdout, stderr on /dev/null, nothing else
# (fd 255 is bash's own script descriptor); an empty environment.
extra=$(awk 'NR > 1 { print $9 }' "$T/fake/fds" | grep -vxE '0|1|2|255')
[ -z "$extra" ] || { fail "the helper inherited descriptors: $extra"; show "$T/fake/fds"; }
grep -Eq ' 2 -> /dev/null$' "$T/fake/fds" || { fail "the helper's stderr is not /dev/null"; show "$T/fake/fds"; }
grep -Eq '^(USER|HOME|LD_|PATH=/usr/bin:/bin$)' "$T/fake/env" && { fail "the helper inherited the environment"; show "$T/fake/env"; }
install_real_helper
[ "$(failures "$U")" = 0 ] || fail "a broken helper counted failures"
app "$U" ignore "$CODE"
expect 0 'account=Success' "right code after the broken helpers"

# 3. A hostile caller: umask 777, a soft limit of 0 on file size, SIGCHLD
# ignored. The helper puts the limit back up and works; the state stays whole.
new_user
HOSTILE="ulimit -S -f 0" app "$U" ignore "$(wrong_code)"
expect 1 'auth=Authentication failure' "hostile caller, wrong code"
[ "$(failures "$U")" = 1 ] || fail "hostile caller: wrong code not counted"
HOSTILE="ulimit -S -f 0" app "$U" ignore "$(totp)"
expect 0 'account=Success' "hostile caller, right code"
# A hard limit only a privileged helper may lift (where the system lets
# root raise it, the helper works; where not, it refuses): never a success
# for a wrong code, never state that does not read back.
HOSTILE="ulimit -f 0; ulimit -n 64" app "$U" reap "$(wrong_code)"
expect 1 'auth=' "hard limits, wrong code"
"$CTL" status "$U" --json > /dev/null || fail "hard limits: the state does not read back"

# 4. Lockout through the helper: the third wrong code locks; then even the
# right code is refused, with the time left.
new_user
for i in 1 2 3; do app "$U" default "$(wrong_code)"; done
app "$U" default "$(totp)"
expect 1 'error: Too many attempts: try again in [0-9]+ minutes' "locked user"

# The account stage of a locked user refuses, with the time left; and with
# the helper gone it refuses too.
SERVICE=chorus-acct-only app "$U" default ""
expect 1 'account=Permission denied' "account stage, locked user"
grep -Eq 'error: Too many attempts' "$T/out" || { fail "account stage: no lockout notice"; show "$T/out"; }
new_user
SERVICE=chorus-acct-only app "$U" default ""
expect 0 'account=Success' "account stage, user not locked"
rm -f "$HELPER"
SERVICE=chorus-acct-only app "$U" ignore ""
expect 1 'account=' "account stage, missing helper"
install_real_helper

# A caller can only ask about its own user: naming another to PAM fails.
OTHER=$U
new_user
AS_USER=$OTHER app "$U" default "$(totp)"
expect 1 'auth=' "asking about another user"
[ "$(failures "$OTHER")" = 0 ] || fail "a refused question about another user counted a failure"

# Password and code in one answer (forward_pass): the code goes to the
# helper, the password to pam_unix.
new_user
echo "$U:Tr0ub4dor&3-x" | chpasswd || fail "chpasswd"
SERVICE=chorus-forward app "$U" default "Tr0ub4dor&3-x$(wrong_code)"
expect 1 'auth=Authentication failure' "forward_pass, wrong code"
SERVICE=chorus-forward app "$U" default "Tr0ub4dor&3-x$(totp)"
expect 0 'account=Success' "forward_pass, right password and code"

# 5. PAM_SILENT: the same answer, no text.
new_user
app "$U" ignore "$(wrong_code)" silent
expect 1 'auth=Authentication failure' "silent wrong code"
grep -Eq '^(error|info):' "$T/out" && { fail "text shown despite PAM_SILENT"; show "$T/out"; }

# 6. A user without a method: the probe says so and the password alone
# (pam_permit here) decides, as for any user not yet registered.
new_user none
app "$U" default "000000"
expect 0 'account=Success' "unregistered user"
grep -q '^prompt:' "$T/out" && { fail "unregistered user was asked for a code"; show "$T/out"; }

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
