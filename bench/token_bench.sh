#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CA signing with the key on a PKCS#11 token (SoftHSM2) against a key in a
# file (not a test: nothing here asserts a time). Builds the bench preset and
# runs certforge_token_bench with one and with two signing threads; it makes
# its SoftHSM2 token in a temporary folder and removes it.
# Usage: bench/token_bench.sh [--rounds 5] [--bits 2048]
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh --test
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
for threads in 1 2; do
  build/bench/bench/certforge_token_bench --threads "$threads" "$@"
  echo
done
