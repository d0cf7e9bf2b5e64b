#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# scripts/path-text-check.py notices a path turned into text without
# path_text() and std::getenv outside the platform layer, in a small tree
# outside git, and passes the same tree once they are gone.
# usage: path_text_check_test.sh SOURCE_DIR
set -euo pipefail
script=$1/scripts/path-text-check.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

mkdir -p "$work/src/lib/platform/posix" "$work/include/x"
printf 'std::string a(const fs::path& p) { return p.string(); }\n' >"$work/src/a.cpp"
printf 'inline auto b(It it) { return it->generic_string(); }\n' >"$work/include/x/b.hpp"
printf 'const char* c = std::getenv("HOME");\n' >"$work/src/c.cpp"
printf 'const char* d = std::getenv("HOME");\n' >"$work/src/lib/platform/posix/d.cpp"

rc=0
python3 "$script" --root "$work" >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "check: exit $rc, expected 1"
grep -qF "src/a.cpp:1: a path as text: use path_text()" "$work/out" || fail "a.cpp not named"
grep -qF "include/x/b.hpp:1: a path as text" "$work/out" || fail "b.hpp not named"
grep -qF "src/c.cpp:1: the environment" "$work/out" || fail "c.cpp not named"
grep -q "platform/posix/d.cpp" "$work/out" && fail "the platform layer may read the environment"

printf 'std::string a(const fs::path& p) { return path_text(p); }\n' >"$work/src/a.cpp"
rm "$work/include/x/b.hpp" "$work/src/c.cpp"
rc=0
python3 "$script" --root "$work" >"$work/out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "clean tree: exit $rc: $(cat "$work/out")"

[ "$failures" -eq 0 ] && echo "ok: path-text-check names what it should" || exit 1
