#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes what scep_message_fuzz.cpp needs: fuzz/scep-ca/ (a CA from `certforge
# ca init`, its SCEP RA from a first `certforge scep serve`, and
# renewal-signer.crt, a certificate that CA issued over SCEP) and the seeds
# in fuzz/corpus/scep_message/, made by the Go SCEP test client
# (tests/support/scep_client) against that server: PKCSReq with each cipher
# and digest carrying the target's challenge, a RenewalReq signed with
# renewal-signer.crt, and a CertPoll, all encrypted for that RA. An existing
# scep-ca/ is kept (the seeds are for its RA); remove it to start over.
# Usage: fuzz/make-scep-seeds.sh CERTFORGE_BINARY
set -euo pipefail
certforge=$(realpath "${1:?usage: make-scep-seeds.sh CERTFORGE_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ca=$here/scep-ca
seeds=$here/corpus/scep_message
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/tests/support/scep_client/build.sh" "$work/client"
client=$work/client
if [ ! -s "$ca/ca.crt" ]; then
  rm -rf "$ca"
  "$certforge" ca init --profile default --name "certforge fuzz CA" --out "$ca" >/dev/null
fi
rm -f "$ca"/ca.db*
"$certforge" scep serve --ca "$ca" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do
  grep -q http "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[^ ]*/scep' "$work/serve.out" | head -n 1)
[ -n "$url" ] || { echo "make-scep-seeds.sh: the server did not start: $(cat "$work/serve.err")" >&2; exit 1; }
mkdir -p "$seeds"

"$certforge" scep challenge --ca "$ca" --profile default >"$work/real-challenge" 2>/dev/null
"$client" enroll -url "$url" -key "$work/old.pem" -cn fuzz-renewal.example.test \
  -dns fuzz-renewal.example.test -challenge-file "$work/real-challenge" -out "$ca/renewal-signer.crt"
"$client" renew -url "$url" -key "$work/new.pem" -cert "$ca/renewal-signer.crt" -old-key "$work/old.pem" \
  -cn fuzz-renewal.example.test -dns fuzz-renewal.example.test -save "$seeds/renewalreq.der" >/dev/null

# scep_message_fuzz.cpp's challenge: this server refuses it, the target's ledger has it.
echo F0221E5EED5C4A11E46E0000C0FFEE00 >"$work/fuzz-challenge"
for cipher in aes128 aes256 des3; do
  for digest in sha256 sha1; do
    "$client" enroll -url "$url" -key "$work/device.pem" -cn fuzz-device.example.test \
      -dns fuzz-device.example.test -challenge-file "$work/fuzz-challenge" -cipher "$cipher" \
      -digest "$digest" -save "$seeds/pkcsreq-$cipher-$digest.der" >/dev/null || true
  done
done
"$client" poll -url "$url" -key "$work/device.pem" -cn fuzz-device.example.test -txid fuzz-poll \
  -save "$seeds/certpoll.der" >/dev/null || true
kill "$server"
wait "$server" 2>/dev/null || true
server=
rm -f "$ca"/ca.db*
ls -l "$seeds"
