#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# scripts/spdx-headers.py notices a source file without its license line: in
# a small tree outside git, a C++ file, a script after its #! line and a
# CMakeLists.txt without the line make --check exit 1 and name each file;
# data (TOML, JSON) is left alone; --write adds the line in the right place
# and --check then passes.
# usage: spdx_headers_test.sh SOURCE_DIR
set -euo pipefail
script=$1/scripts/spdx-headers.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mkdir -p "$work/src" "$work/build/x" "$work/profiles"
printf '// A contract comment.\n#pragma once\n' >"$work/src/a.hpp"
printf '// SPDX-License-Identifier: Apache-2.0\nint main() {}\n' >"$work/src/ok.cpp"
printf '#!/bin/sh\necho hi\n' >"$work/run"
printf 'project(x)\n' >"$work/CMakeLists.txt"
printf 'id = "x"\n' >"$work/profiles/x.toml"
printf '{}\n' >"$work/data.json"
printf 'int junk;\n' >"$work/build/x/generated.cpp"

rc=0
python3 "$script" --root "$work" --check >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "check: exit $rc, expected 1"
for name in src/a.hpp run CMakeLists.txt; do
    grep -qF "$name: no 'SPDX-License-Identifier: Apache-2.0' line" "$work/out" || fail "check does not name $name"
done
for name in ok.cpp x.toml data.json generated.cpp; do
    ! grep -qF "$name" "$work/out" || fail "check names $name"
done
grep -qF '3 of 4 source files lack the line' "$work/out" || fail "no count in: $(cat "$work/out")"

python3 "$script" --root "$work" --write >/dev/null
[ "$(head -1 "$work/src/a.hpp")" = '// SPDX-License-Identifier: Apache-2.0' ] || fail "a.hpp line 1: $(head -1 "$work/src/a.hpp")"
[ "$(sed -n 2p "$work/src/a.hpp")" = '// A contract comment.' ] || fail "a.hpp lost its comment"
[ "$(head -1 "$work/run")" = '#!/bin/sh' ] || fail "run's #! moved"
[ "$(sed -n 2p "$work/run")" = '# SPDX-License-Identifier: Apache-2.0' ] || fail "run line 2: $(sed -n 2p "$work/run")"
[ "$(head -1 "$work/CMakeLists.txt")" = '# SPDX-License-Identifier: Apache-2.0' ] || fail "CMakeLists.txt line 1"
[ "$(cat "$work/profiles/x.toml")" = 'id = "x"' ] || fail "the profile was changed"
[ "$(grep -c SPDX "$work/src/ok.cpp")" -eq 1 ] || fail "ok.cpp got a second line"
python3 "$script" --root "$work" --check >"$work/out" 2>&1 || fail "check after write: $(cat "$work/out")"

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "spdx-headers: detects and adds the line as documented"
