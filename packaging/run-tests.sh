#!/usr/bin/env bash
# Every test: install what is missing, build each configuration, run the suite
# of each. Exits non-zero when any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh --test

# ccache (outside the repository, in ~/.cache/ccache) is shared by the three
# presets and by later runs in other clones of the repository.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

presets=(default openssl-only botan-only)
for preset in "${presets[@]}"; do
  echo "=== $preset: configure and build" >&2
  # Tests forced on: a cache left with them off must not make a silent pass.
  cmake --preset "$preset" -DCERTFORGE_BUILD_TESTS=ON >/dev/null
  cmake --build --preset "$preset"
done
status=0
for preset in "${presets[@]}"; do
  echo "=== $preset: tests" >&2
  ctest --preset "$preset" -j "$(nproc)" || status=1
done
exit $status
