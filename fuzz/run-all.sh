#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every built fuzz target for SECONDS each, on a copy of its seed corpus
# (fuzz/corpus/NAME stays as committed). Builds nothing: build with the fuzz
# preset first (see fuzz/README.md). Exit 0 when no target found anything,
# 1 when one found a crash, a sanitizer error, a leak, a timeout or an
# out-of-memory (each reproducer is named), 2 for a wrong call, 3 when no
# target is built.
#   usage: fuzz/run-all.sh SECONDS [BUILD_DIR]
#   BUILD_DIR           the fuzz preset's build folder (default: build/fuzz)
#   CERTFORGE_FUZZ_OUT  where corpus copies, logs and reproducers go
#                       (default: a new folder under $TMPDIR or /tmp)
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 SECONDS [BUILD_DIR]" >&2
  exit 2
fi
seconds=$1
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$(dirname "$here")/build/fuzz}
shopt -s nullglob
targets=()
for file in "$build"/fuzz/*_fuzz; do
  [ -f "$file" ] && [ -x "$file" ] && targets+=("$file")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "run-all.sh: no fuzz target in $build/fuzz; build them first:" \
    "cmake --preset fuzz && cmake --build --preset fuzz" >&2
  exit 3
fi
out=${CERTFORGE_FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/certforge-fuzz-run.XXXXXX")}
mkdir -p "$out/tmp"
# The targets' scratch folders, kept with the run when a target crashes.
export TMPDIR=$out/tmp
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && command -v llvm-symbolizer-14 >/dev/null; then
  export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
fi

failed=0
for target in "${targets[@]}"; do
  name=$(basename "$target" _fuzz)
  corpus=$out/corpus/$name
  artifacts=$out/artifacts/$name
  log=$out/$name.log
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts"
  largest=0
  if [ -d "$here/corpus/$name" ]; then
    cp -R "$here/corpus/$name/." "$corpus/"
    largest=$(find "$corpus" -type f -printf '%s\n' | sort -n | tail -n 1)
  fi
  # Room to grow the largest seed, and never less than 4 KiB.
  max_len=$((2 * ${largest:-0}))
  [ "$max_len" -ge 4096 ] || max_len=4096
  echo "== $name: ${seconds}s, -max_len=$max_len, log: $log"
  status=0
  "$target" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  reproducers=("$artifacts"/*)
  if [ "$status" -eq 0 ] && [ ${#reproducers[@]} -eq 0 ]; then
    grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
    grep -E '^stat::average_exec_per_sec' "$log" || true
    continue
  fi
  failed=1
  echo "!! $name FAILED (exit status $status):"
  grep -E '^(==[0-9]+==ERROR|SUMMARY|certforge fuzz:|.*runtime error:|ALARM|==[0-9]+== ERROR: libFuzzer)' \
    "$log" | head -n 5 || true
  for reproducer in "${reproducers[@]}"; do
    echo "   reproducer: $reproducer"
    echo "   rerun with: $target $reproducer"
  done
  [ ${#reproducers[@]} -gt 0 ] || echo "   no reproducer was written: see $log"
done

if [ "$failed" -ne 0 ]; then
  echo "run-all.sh: a target found a problem; logs and reproducers are in $out" >&2
  exit 1
fi
echo "run-all.sh: no finding in ${#targets[@]} targets x ${seconds}s (logs in $out)"
