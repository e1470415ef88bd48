# SPDX-License-Identifier: BSD-2-Clause
# Helpers shared by scripts/test and scripts/demo. Source it; don't run it.

chorus_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs the packages listed in scripts/deps.txt (root only; apt-get update first).
chorus_install_deps() {
  if [ "$(id -u)" != 0 ]; then
    echo "not root: skipping package installation (run as root on a fresh machine)" >&2
    return 0
  fi
  local pkgs
  pkgs=$(grep -v '^#' "$chorus_root/scripts/deps.txt" | tr '\n' ' ')
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $pkgs
}

chorus_jobs() { nproc 2>/dev/null || echo 2; }

# The programs of the unit and PAM suites (ctest labels unit, pam) that the
# build tree $1 defines (test_pam_failmode needs the PostgreSQL plugin; the
# plugin's server-less test_pg_conn carries the unit label too), one per
# line: building them builds the library, the module and the plugin.
chorus_unit_pam_targets() {
  local f t defined
  defined=$(cmake --build "$1" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p')
  for f in "$chorus_root"/tests/unit/exports_dlopen.c "$chorus_root"/tests/unit/test_*.cpp \
           "$chorus_root"/tests/pam/test_*.c "$chorus_root"/tests/postgresql/test_*.cpp; do
    t=$(basename "$f")
    t=${t%.*}
    [ "$t" = exports_dlopen ] && t=test_exports_dlopen
    if grep -qx "$t" <<<"$defined"; then echo "$t"; fi
  done
}
