#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds and runs the benchmarks (not part of the test suite).
# Usage: bench/run.sh [--rounds N] [--sizes 1024,2048,3072]
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
exec build/bench/bench/certforge_bench "$@"
