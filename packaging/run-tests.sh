#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every test: install what is missing, build each configuration, run the suite
# of each. Exits non-zero when any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh --test

# ccache (outside the repository, in ~/.cache/ccache) is shared by the
# presets and by later runs in other clones of the repository.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# sanitize: AddressSanitizer (leaks too) and UBSan over the whole suite.
presets=(default openssl-only botan-only sanitize)
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

# Every libFuzzer target for a short, bounded time on its committed seeds
# (fuzz/README.md); a crash, sanitizer report, leak, timeout or OOM fails.
echo "=== fuzz: configure, build, run each target ${CERTFORGE_FUZZ_SECONDS:-30}s" >&2
if cmake --preset fuzz >/dev/null && cmake --build --preset fuzz; then
  bash fuzz/run-all.sh "${CERTFORGE_FUZZ_SECONDS:-30}" || status=1
else
  status=1
fi
# The Debian package: built, checked by lintian, installed, used and purged
# (tests/packaging/deb_test.sh; it needs root, as CI and the README's
# commands run).
echo "=== package: build, lintian, install, purge" >&2
if deb=$(bash packaging/build-deb.sh | tail -n 1); then
  bash tests/packaging/deb_test.sh "$deb" || status=1
else
  status=1
fi
exit $status
