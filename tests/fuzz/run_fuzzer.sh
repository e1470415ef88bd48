#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs one libFuzzer target for a bounded time (ctest test "fuzz.<name>"):
#   run_fuzzer.sh FUZZER CORPUS_DIR REGRESSIONS_DIR ARTIFACT_DIR [libFuzzer options]
# The seed corpus is copied to a temporary directory, so new inputs never land
# in the source tree; the regression inputs (if any) are run first and must
# all pass. A crash is saved in ARTIFACT_DIR and the test fails.
set -eu
fuzzer=$1 corpus=$2 regressions=$3 artifacts=$4
shift 4
name=$(basename "$fuzzer")

work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/corpus" "$artifacts"
if [ -d "$corpus" ]; then
  cp -R "$corpus/." "$work/corpus/"
fi

if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  echo "== $name: regression inputs from $regressions"
  for f in "$regressions"/*; do
    [ -f "$f" ] || continue
    "$fuzzer" -runs=1 "$f" >"$work/regression.log" 2>&1 || {
      cat "$work/regression.log"
      echo "FAIL: $name crashed on regression input $f" >&2
      echo "$name: FAILED on regression input $f (not fuzzed)" >"$artifacts/../summary-$name.txt"
      exit 1
    }
  done
fi

dict=
srcdir=$(dirname "$0")
if [ -f "$srcdir/dict/${name#fuzz_}.dict" ]; then
  dict="-dict=$srcdir/dict/${name#fuzz_}.dict"
fi

echo "== $name $* $dict (corpus: $(ls "$work/corpus" | wc -l) seeds)"
# libFuzzer's log goes to a file (it is long); shown in full only on failure.
# One summary line per run is left in ARTIFACT_DIR/../summary-<name>.txt.
log="$artifacts/../$name.log"
rc=0
# shellcheck disable=SC2086
"$fuzzer" "$@" $dict -print_final_stats=1 -artifact_prefix="$artifacts/" "$work/corpus" >"$log" 2>&1 || rc=$?
stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -n 1; }
summary="$name: exit $rc, $(stat number_of_executed_units) runs ($(stat average_exec_per_sec)/s), $(stat new_units_added) new units, peak RSS $(stat peak_rss_mb) MB, corpus $(ls "$work/corpus" | wc -l) files"
echo "$summary" | tee "$artifacts/../summary-$name.txt"
if [ "$rc" != 0 ]; then
  cat "$log"
  echo "FAIL: $name (crash input, if any, in $artifacts)" >&2
fi
exit "$rc"
