#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job end to end: install what is missing, build, make a CA and a
# Terminal Server certificate for older Konica Minolta devices, verify it.
# Output goes to ./demo (replaced on each run).
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/install-deps.sh
# A build folder of its own (build/demo, no tests), so that the test
# command's build/default keeps its tests.
cmake --preset demo >/dev/null
cmake --build --preset demo >/dev/null

certforge=build/demo/src/certforge
"$certforge" version
# A new CA each run: a CA folder keeps its ledger (ca.db), and certforge will
# not put a new CA over the records of the old one.
rm -rf demo
"$certforge" ca init --profile konica-legacy --name "Print CA" --out demo/ca
# stdin not a terminal: the PFX password is generated into server.pfx.pass
"$certforge" make --profile konica-legacy --cn print.corp.local --san dns:print \
  --san ip:10.1.2.3 --ca demo/ca --out demo/out </dev/null
"$certforge" verify --profile konica-legacy demo/out/chain.pem

echo
echo "CA:          $PWD/demo/ca/ca.crt (key: demo/ca/ca.key, 0600)"
echo "certificate: $PWD/demo/out/server.crt (key: demo/out/server.key, 0600)"
echo "chain:       $PWD/demo/out/chain.pem"
