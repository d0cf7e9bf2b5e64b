#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every test: install what is missing, build each configuration, run the suite
# of each. Exits non-zero when any build or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
stage_started=$SECONDS
# stage NAME: prints how long the stage before took, then NAME.
stage() {
  echo "=== ($((SECONDS - stage_started)) s) $1" >&2
  stage_started=$SECONDS
}
bash packaging/install-deps.sh --test
stage "dependencies installed"

# ccache (outside the repository, in ~/.cache/ccache) is shared by the
# presets and by later runs in other clones of the repository.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

# sanitize: AddressSanitizer (leaks too) and UBSan over the whole suite.
presets=(default openssl-only botan-only sanitize)
for preset in "${presets[@]}"; do
  stage "$preset: configure and build"
  # Tests forced on: a cache left with them off must not make a silent pass.
  cmake --preset "$preset" -DCERTFORGE_BUILD_TESTS=ON >/dev/null
  cmake --build --preset "$preset"
done
status=0
for preset in "${presets[@]}"; do
  stage "$preset: tests"
  ctest --preset "$preset" -j "$(nproc)" || status=1
done

# Every libFuzzer target for a short, bounded time on its committed seeds
# (fuzz/README.md); a crash, sanitizer report, leak, timeout or OOM fails.
stage "fuzz: configure, build, run each target ${CERTFORGE_FUZZ_SECONDS:-15}s"
if cmake --preset fuzz >/dev/null && cmake --build --preset fuzz; then
  bash fuzz/run-all.sh "${CERTFORGE_FUZZ_SECONDS:-15}" || status=1
else
  status=1
fi
# The Debian package: built, checked by lintian, installed, used and purged
# (tests/packaging/deb_test.sh; it needs root, as CI and the README's
# commands run).
stage "package: build, lintian, install, purge"
if deb=$(bash packaging/build-deb.sh | tail -n 1); then
  bash tests/packaging/deb_test.sh "$deb" || status=1
else
  status=1
fi
# certforge.exe: the static libraries (cached in ~/.cache/certforge-windows,
# keyed by their versions), the cross build, and the smoke suite under wine
# against the default build's Linux certforge.
stage "windows: certforge.exe, its zip, the smoke suite under wine"
if zip=$(bash packaging/windows/build.sh | tail -n 1); then
  echo "windows: $zip" >&2
  bash tests/windows/wine_smoke_test.sh "$zip" build/default/src/certforge . || status=1
else
  status=1
fi
stage "all done in $((SECONDS - started)) s, status $status"
exit $status
