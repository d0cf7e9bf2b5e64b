#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# scripts/profile-table.py --check notices a changed profile: on a copy of
# profiles/ and README.md, a child's own key, a key a child inherits, and a
# new profile each make --check exit 1 with a diff and the hint; --write
# brings README back in step; a README without the markers is exit 2.
# usage: profile_table_test.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
script=$source_dir/scripts/profile-table.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$source_dir/profiles" "$work/profiles"
rm -rf "$work/profiles/hosts"  # host profiles are not in the table
cp "$source_dir/README.md" "$work/README.md"
failures=0

# check NAME EXPECTED_EXIT [GREP...]: --check on the copy.
check() {
    local name=$1 expected=$2 rc=0 pattern
    shift 2
    python3 "$script" --profiles "$work/profiles" --check "$work/README.md" \
        >"$work/out" 2>&1 || rc=$?
    if [ "$rc" -ne "$expected" ]; then
        echo "FAIL $name: exit $rc, expected $expected"; cat "$work/out"; failures=$((failures + 1)); return
    fi
    for pattern in "$@"; do
        if ! grep -qF -- "$pattern" "$work/out"; then
            echo "FAIL $name: no '$pattern' in:"; cat "$work/out"; failures=$((failures + 1)); return
        fi
    done
    echo "ok   $name"
}

hint="out of step with the profiles; run: python3 "
check "unchanged profiles" 0

# A child's own key.
sed -i 's/^models = \["bizhub i-Series"\]/models = ["bizhub i-Series", "bizhub C4050i"]/' \
    "$work/profiles/konica-bizhub-i.toml"
check "a child's models" 1 "+| Konica Minolta | bizhub i-Series; bizhub C4050i |" "$hint"
cp "$source_dir/profiles/konica-bizhub-i.toml" "$work/profiles/"

# A key children inherit: the parent's row and its children's rows change.
sed -i 's/^hashes = \["sha256", "sha384", "sha512"\]/hashes = ["sha256", "sha384"]/' \
    "$work/profiles/default.toml"
check "an inherited key" 1 "+| Konica Minolta | bizhub i-Series | \`konica-bizhub-i\` | no | 2048, 3072, 4096 | sha256, sha384 |" "$hint"
python3 "$script" --profiles "$work/profiles" --write "$work/README.md" >/dev/null
check "--write brings it back in step" 0
cp "$source_dir/profiles/default.toml" "$work/profiles/"
cp "$source_dir/README.md" "$work/README.md"

# A new profile.
sed 's/^id = "kyocera"/id = "kyocera-new"/' "$source_dir/profiles/kyocera.toml" \
    >"$work/profiles/kyocera-new.toml"
check "a new profile" 1 "\`kyocera-new\`" "$hint"
rm "$work/profiles/kyocera-new.toml"

# Everything outside the markers is left alone by --write.
printf 'before\n<!-- profile-table:begin -->\nold\n<!-- profile-table:end -->\nafter\n' >"$work/README.md"
python3 "$script" --profiles "$work/profiles" --write "$work/README.md" >/dev/null
if [ "$(head -2 "$work/README.md")" = "$(printf 'before\n<!-- profile-table:begin -->')" ] &&
   [ "$(tail -2 "$work/README.md")" = "$(printf '<!-- profile-table:end -->\nafter')" ]; then
    echo "ok   --write keeps the rest"
else
    echo "FAIL --write keeps the rest:"; cat "$work/README.md"; failures=$((failures + 1))
fi

# No markers.
echo "no table here" >"$work/README.md"
check "a README without markers" 2 "needs exactly one line"

[ "$failures" -eq 0 ] || { echo "$failures failed"; exit 1; }
echo "all passed"
