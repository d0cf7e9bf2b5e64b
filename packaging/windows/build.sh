#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Cross-builds certforge.exe for Windows x64 on Debian 12 and packs
#   dist/certforge-VERSION-windows-x64.zip
# (certforge.exe, profiles\, README.md, LICENSE, QUICKSTART-WINDOWS.txt).
# The static libraries come from packaging/windows/build-deps.sh (built once
# into a cache outside the repository); ccache speeds up certforge itself.
# Prints the zip's path as its last line.
# usage: packaging/windows/build.sh   (needs packaging/install-deps.sh --windows)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
log() { echo "windows/build.sh: $*" >&2; }

started=$SECONDS
prefix=$(bash packaging/windows/build-deps.sh | tail -n 1)
log "dependencies ready in $((SECONDS - started)) s: $prefix"

# The header-only libraries, from the host's Debian packages.
headers=$root/build/windows-headers
rm -rf "$headers"
mkdir -p "$headers"
for dir in CLI toml++ fmt nlohmann; do
  [ -d "/usr/include/$dir" ] || { log "missing /usr/include/$dir (packaging/install-deps.sh)"; exit 2; }
  cp -r "/usr/include/$dir" "$headers/"
done

export CERTFORGE_WINDOWS_PREFIX=$prefix
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH=
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
step=$SECONDS
cmake --preset windows >/dev/null
cmake --build --preset windows >&2
exe=$root/build/windows/src/certforge.exe
x86_64-w64-mingw32-strip "$exe"
log "certforge.exe built in $((SECONDS - step)) s: $(stat -c %s "$exe") bytes"

version=$(cat build/windows/certforge-version.txt)
name=certforge-$version-windows-x64
stage=$root/build/windows/$name
rm -rf "$stage"
mkdir -p "$stage/profiles" "$root/dist"
cp "$exe" "$stage/certforge.exe"
cp -r profiles/. "$stage/profiles/"
cp README.md LICENSE packaging/windows/QUICKSTART-WINDOWS.txt "$stage/"
zip="$root/dist/$name.zip"
rm -f "$zip"
(cd "$root/build/windows" && zip -qr -X "$zip" "$name")
log "all in $((SECONDS - started)) s"
echo "$zip"
