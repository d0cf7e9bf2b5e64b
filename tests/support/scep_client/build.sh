#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds certforge_scep_client offline, in GOPATH mode, from Debian 12's packages
# golang-go and golang-github-micromdm-scep-dev (installs nothing).
# Usage: bash build.sh OUTFILE
set -e
[ $# -eq 1 ] || { echo "usage: build.sh OUTFILE" >&2; exit 1; }
command -v go >/dev/null 2>&1 || { echo "build.sh: go not found: install the Debian package golang-go" >&2; exit 1; }
src=/usr/share/gocode/src
[ -d $src/github.com/micromdm/scep/scep ] || { echo "build.sh: $src/github.com/micromdm/scep missing: install the Debian package golang-github-micromdm-scep-dev" >&2; exit 1; }
[ -d $src/go.mozilla.org/pkcs7 ] || { echo "build.sh: $src/go.mozilla.org/pkcs7 missing: install the Debian package golang-github-fullsailor-pkcs7-dev" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$1")"
out=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
g=$(mktemp -d)
trap 'rm -rf "$g"' EXIT
mkdir -p "$g/src/scepclient"
cp "$here"/*.go "$g/src/scepclient/"
[ -n "$HOME$XDG_CACHE_HOME$GOCACHE" ] || export GOCACHE=$g/cache
cd "$g/src/scepclient"
GO111MODULE=off GOPATH=$g:/usr/share/gocode GOPROXY=off GOFLAGS= go build -o "$out" . 2>"$g/err" ||
  { echo "build.sh: go build failed: $(head -c 400 "$g/err" | tr '\n' ' ')" >&2; exit 1; }
