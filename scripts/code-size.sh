#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Prints the ten largest source files and the ten longest functions
# (lambdas included) under src/ and include/: the numbers the architecture
# notes quote. Needs universal-ctags (Debian: universal-ctags).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ctags >/dev/null || { echo "code-size.sh: needs ctags (apt-get install universal-ctags)" >&2; exit 2; }
echo "# largest files (lines)"
find src include -name '*.cpp' -o -name '*.hpp' | xargs wc -l | grep -v ' total$' | sort -rn | head -10
echo "# longest functions (lines)"
find src -name '*.cpp' -print0 |
    xargs -0 ctags --kinds-c++=f --fields=+ne -o - 2>/dev/null |
    awk -F'\t' '{ n = ""; e = ""
                   for (i = 4; i <= NF; i++) {
                       if ($i ~ /^line:/) n = substr($i, 6)
                       if ($i ~ /^end:/) e = substr($i, 5)
                   }
                   if (n != "" && e != "") print e - n + 1, $2 ":" n, $1 }' |
    sort -rn | head -10
