#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every file certforge writes, made by write_outputs.sh with a frozen clock and
# a fixed random sequence, must have the SHA-256 listed in
# tests/data/golden/CONFIG.sha256 (CONFIG: the backends built, e.g.
# openssl+botan). A change of bytes fails here: if the change is meant,
# rewrite the list with CERTFORGE_GOLDEN_UPDATE=1 and say why in the commit.
#
# usage: golden_test.sh SOURCE_DIR CERTFORGE
set -euo pipefail
source_dir=$1
certforge=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash "$source_dir/tests/golden/write_outputs.sh" "$certforge" "$work/out"
config=$("$certforge" version --json 2>/dev/null |
         python3 -c 'import json,sys; print("+".join(b["name"] for b in json.load(sys.stdin)["backends"]))')
expected="$source_dir/tests/data/golden/$config.sha256"

if [ "${CERTFORGE_GOLDEN_UPDATE:-}" = 1 ]; then
    mkdir -p "$(dirname "$expected")"
    cp "$work/out/SHA256SUMS" "$expected"
    echo "golden_test.sh: wrote $expected ($(wc -l < "$expected") files)"
    exit 0
fi
[ -f "$expected" ] || { echo "golden_test.sh: no $expected; make it with CERTFORGE_GOLDEN_UPDATE=1" >&2; exit 1; }
if ! diff -u "$expected" "$work/out/SHA256SUMS"; then
    echo "golden_test.sh: the files above differ from $expected (- expected, + now)." >&2
    echo "If that change is meant, run: CERTFORGE_GOLDEN_UPDATE=1 ctest --preset NAME -R golden.outputs" >&2
    exit 1
fi
echo "golden_test.sh: $(wc -l < "$expected") files identical to $expected"
