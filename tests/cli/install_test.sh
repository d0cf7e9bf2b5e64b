#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An installed certforge finds the installed profiles, not the source tree's.
# Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
json=$(CERTFORGE_PROFILE_PATH= "$prefix/bin/certforge" profiles show konica-legacy --json)
expected="\"file\": \"$prefix/share/certforge/profiles/konica-legacy.toml\""
if ! grep -qF "$expected" <<<"$json"; then
  echo "the installed certforge did not load the installed profile; expected $expected in:" >&2
  echo "$json" >&2
  exit 1
fi
for file in default.toml konica-legacy.toml README.md; do
  [ -f "$prefix/share/certforge/profiles/$file" ] || { echo "not installed: $file" >&2; exit 1; }
done
echo "installed profiles found under $prefix"
