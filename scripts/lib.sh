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
