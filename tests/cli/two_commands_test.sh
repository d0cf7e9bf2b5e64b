#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's two commands are independent, and a configuration without
# tests fails its test run instead of passing in silence.
# Usage: two_commands_test.sh SOURCE_DIR
set -euo pipefail
source_dir=${1:?usage: two_commands_test.sh SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Every test preset refuses to pass with no tests: a project with the
#    same presets and no test at all must fail `ctest --preset`.
cp "$source_dir/CMakePresets.json" "$work/"
cat >"$work/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(no_tests NONE)
enable_testing()
CMAKE
presets=$(python3 -c 'import json,sys; print(" ".join(t["name"] for t in json.load(open(sys.argv[1]))["testPresets"]))' "$work/CMakePresets.json")
for preset in $presets; do
  (cd "$work" && cmake --preset "$preset" >/dev/null 2>&1)
  if (cd "$work" && ctest --preset "$preset" >/dev/null 2>&1); then
    echo "ctest --preset $preset passed a configuration with no tests" >&2
    exit 1
  fi
done

# 2. The demo builds where no test preset looks, and the test script turns
#    tests on whatever an earlier cache says.
python3 - "$source_dir" <<'PY'
import json, re, sys
source = sys.argv[1]
presets = json.load(open(f"{source}/CMakePresets.json"))
configure = {p["name"]: p for p in presets["configurePresets"]}
def binary_dir(name):
    preset = configure[name]
    while "binaryDir" not in preset:
        preset = configure[preset["inherits"]]
    return preset["binaryDir"]
demo = open(f"{source}/packaging/demo.sh").read()
used = re.findall(r"cmake --preset (\S+)", demo)
if not used:
    sys.exit("packaging/demo.sh configures no preset")
tested = {binary_dir(t["configurePreset"]) for t in presets["testPresets"]}
for name in used:
    if binary_dir(name) in tested:
        sys.exit(f"demo.sh builds in {binary_dir(name)}, where a test preset runs")
run_tests = open(f"{source}/packaging/run-tests.sh").read()
if "-DCERTFORGE_BUILD_TESTS=ON" not in run_tests:
    sys.exit("packaging/run-tests.sh does not force the tests on")
PY
echo "the two commands are independent; no-test configurations fail"
