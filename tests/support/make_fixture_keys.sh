#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes the RSA fixture keys the tests share, with the openssl command line.
# Keys that exist already are kept. Usage: make_fixture_keys.sh DIR
set -euo pipefail
dir=${1:?usage: make_fixture_keys.sh DIR}
command -v openssl >/dev/null || { echo "openssl is missing: apt-get install openssl" >&2; exit 1; }
mkdir -p "$dir"
for bits in 1024 2048 4096; do
  key="$dir/rsa$bits.pem"
  [ -s "$key" ] && continue
  tmp=$(mktemp "$dir/.rsa$bits.XXXXXX")
  openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$tmp" 2>/dev/null
  chmod 600 "$tmp"
  mv -f "$tmp" "$key"
done
key="$dir/ec256.pem"
if [ ! -s "$key" ]; then
  tmp=$(mktemp "$dir/.ec256.XXXXXX")
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp" 2>/dev/null
  mv -f "$tmp" "$key"
fi
for bits in 512 1024; do
  params="$dir/dh$bits.pem"
  [ -s "$params" ] && continue
  tmp=$(mktemp "$dir/.dh$bits.XXXXXX")
  openssl dhparam -dsaparam -out "$tmp" "$bits" 2>/dev/null
  mv -f "$tmp" "$params"
done
