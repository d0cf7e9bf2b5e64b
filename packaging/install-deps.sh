#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages certforge needs, and only those missing.
#   install-deps.sh          what building certforge needs
#   install-deps.sh --test   also what the test suite uses to read our output back,
#                            and clang with libFuzzer for the fuzz preset (llvm-14
#                            for llvm-symbolizer, so that fuzzer stacks have names;
#                            faketime for the golden outputs, universal-ctags for
#                            scripts/code-size.sh, python3-jsonschema for the checks
#                            of every JSON document against docs/schema/, lintian
#                            and man-db for the Debian package's test, zsh and fish
#                            to parse the completions; certmonger, dbus-daemon, and
#                            Go with Debian's micromdm/scep library for the SCEP
#                            clients the tests enroll with; PostgreSQL, SoftHSM2 and
#                            OpenSC's pkcs11-tool for the shared ledger and the token),
#                            and what the Windows build
#                            and its smoke test under wine need (see below)
#   install-deps.sh --windows what packaging/windows/build.sh needs: mingw-w64,
#                            tcl (SQLite's amalgamation), dpkg-dev (apt-get source),
#                            zip, and wine64 for tests/windows/wine_smoke_test.sh
#   install-deps.sh --bench  also the peers the benchmarks compare with (cfssl)
set -euo pipefail

build_packages=(
  cmake ninja-build g++ pkg-config ccache
  libssl-dev libbotan-2-dev libcli11-dev libtomlplusplus-dev libfmt-dev nlohmann-json3-dev
  libzip-dev libsqlite3-dev libcpp-httplib-dev libpq-dev libp11-kit-dev python3 dpkg-dev
)
test_packages=(
  catch2 openssl python3 python3-cryptography python3-cryptography-vectors
  openjdk-17-jre-headless libnss3-tools gnutls-bin unzip nmap
  clang-14 libfuzzer-14-dev llvm-14 faketime universal-ctags python3-jsonschema
  lintian man-db zsh fish
  certmonger dbus-daemon golang-go golang-github-micromdm-scep-dev
  postgresql softhsm2 opensc
)
windows_packages=(g++-mingw-w64-x86-64 wine64 tcl zip dpkg-dev unzip openjdk-17-jre-headless)

packages=("${build_packages[@]}")
case "${1:-}" in
  --test) packages+=("${test_packages[@]}" "${windows_packages[@]}") ;;
  --windows) packages+=("${windows_packages[@]}" openssl python3) ;;
  --bench) packages+=("${test_packages[@]}" golang-cfssl) ;;
  "") ;;
  *) echo "usage: $0 [--test|--bench|--windows]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "certforge needs these Debian packages: ${missing[*]}" >&2
  echo "run this script as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
