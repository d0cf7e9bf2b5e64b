#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package: a Release build with Debian's hardening flags
# (dpkg-buildflags with hardening=+all: FORTIFY_SOURCE, stack protector,
# relro, bindnow, PIE), stripped, without the test suite or the source
# tree's profile path, then certforge_VERSION-1_ARCH.deb in dist/. Prints the
# package's path on its last line.
#   bash packaging/build-deb.sh
# Needs: cmake, ninja-build, g++, dpkg-dev and the -dev packages of
# packaging/install-deps.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CERTFORGE_PACKAGE_BUILD_DIR:-$root/build/package}
dist=$root/dist

export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cppflags=$(dpkg-buildflags --get CPPFLAGS)
cxxflags=$(dpkg-buildflags --get CXXFLAGS)
ldflags=$(dpkg-buildflags --get LDFLAGS)

# A unity build (16 sources a unit): the package is built once, from
# scratch, and this takes a quarter of the time.
cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
    -DCMAKE_INSTALL_PREFIX=/usr \
    -DCERTFORGE_BUILD_TESTS=OFF \
    -DCERTFORGE_BUILD_TREE_PROFILES=OFF \
    -DCMAKE_CXX_FLAGS="$cppflags $cxxflags" \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$build" -j "$(nproc)"
mkdir -p "$dist"
(cd "$build" && cpack -G DEB -B "$dist" >/dev/null)
rm -rf "$dist/_CPack_Packages"
deb=$(ls -t "$dist"/certforge_*.deb | head -n 1)
echo "$deb"
