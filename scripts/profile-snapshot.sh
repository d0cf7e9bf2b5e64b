#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Writes, one file per command, what certforge says about profiles: for every
# shipped profile `profiles show ID` and `profiles show ID --json`; `profiles
# list` (also --json, --kind and --vendor) and `profiles lint --all`; and for
# a set of profiles written here (every key set, extends chains, and broken
# ones: wrong type, out of range, unknown key, bad choice, empty array, bad
# extends, keys that disagree) show, show --json and lint. Each file holds
# stdout, stderr and the exit code. With a test binary it also writes the
# common ground of every pair of shipped profiles and of a few larger sets
# (certforge_tests '[.snapshot]').
#
# A change to the profile code must leave the snapshot byte for byte the same:
#   scripts/profile-snapshot.sh OLD/certforge /tmp/before [OLD/certforge_tests]
#   scripts/profile-snapshot.sh build/default/src/certforge /tmp/after \
#       build/default/tests/certforge_tests
#   diff -r /tmp/before /tmp/after
#
# usage: profile-snapshot.sh CERTFORGE OUT_DIR [CERTFORGE_TESTS]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 CERTFORGE OUT_DIR [CERTFORGE_TESTS]" >&2; exit 2; }
certforge=$(realpath "$1")
out=$2
tests=${3:+$(realpath "$3")}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
# The written profiles live at one fixed place, so that the paths in the
# error messages are the same from run to run.
work=/tmp/certforge-profile-snapshot
rm -rf "$work" "$out"
mkdir -p "$work/lib" "$out"
trap 'rm -rf "$work"' EXIT
export CERTFORGE_PROFILE_PATH=

# run NAME ARGS...: certforge ARGS into OUT_DIR/NAME.
run() {
    local name=$1 rc=0
    shift
    "$certforge" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    { echo "## certforge $*"; echo "## stdout"; cat "$work/stdout"
      echo "## stderr"; cat "$work/stderr"; echo "## exit $rc"; } >"$out/$name"
}

for file in "$source_dir"/profiles/*.toml "$source_dir"/profiles/hosts/*.toml; do
    id=$(basename "$file" .toml)
    run "show-$id" profiles show "$id"
    run "show-$id.json" profiles show "$id" --json
done
run list profiles list
run list.json profiles list --json
run list-hosts.json profiles list --kind host --json
run list-hp profiles list --vendor hp
run lint-all profiles lint --all

# profile NAME: the TOML on stdin becomes $work/lib/NAME.toml.
profile() { cat >"$work/lib/$1.toml"; }
head='name = "Test"
sources = ["test"]'

profile full <<EOF
id = "full"
$head
kind = "device"
vendor = "Acme"
models = ["A1", "A2"]
notes = "every key"
legacy = true
[key]
algorithms = ["rsa"]
rsa_bits = [1024, 4096, 2048]
default_rsa_bits = 4096
[signature]
hashes = ["sha1", "sha512", "md5", "sha224"]
default_hash = "sha224"
[validity]
default_days = 100
max_days = 200
backdate_minutes = 0
[subject]
require_san = false
cn_in_san = false
require_ip_san = true
dn_encoding = "printable"
[extensions]
key_usage = ["keyAgreement", "digitalSignature", "decipherOnly"]
key_usage_critical = false
extended_key_usage = ["clientAuth", "serverAuth", "OCSPSigning"]
extended_key_usage_critical = true
basic_constraints = false
basic_constraints_critical = false
subject_key_id = false
authority_key_id = false
[serial]
bytes = 9
min_bytes = 1
[certificate]
version = 3
max_chain_length = 10
[ca]
days = 10
max_days = 20
path_length = 2
key_usage = ["cRLSign"]
[import]
ca_format = "der"
identity_pkcs12 = true
pkcs12_encryption = ["rc2", "aes"]
empty_password = true
steps = ["one", "two"]
[tls]
versions = ["tls1.3", "ssl3"]
dh_min_bits = 8192
dhe_broken = true
tls13_broken = true
EOF
profile host <<EOF
id = "host"
$head
kind = "host"
extends = "full"
legacy = true
[host]
os = "Some OS"
dh_kbs = ["KB1"]
sha512_tls12_kbs = []
[extensions]
extended_key_usage = []
EOF
profile child <<EOF
id = "child"
name = "Child"
extends = "konica-legacy"
legacy = true
[validity]
max_days = 1000
EOF

# Sets that share no size or hash, two at a time or only all together.
for trio in "a 2048, 3072" "b 3072, 4096" "c 2048, 4096"; do
    printf 'id = "trio-%s"\n%s\n[key]\nrsa_bits = [%s]\n' "${trio%% *}" "$head" "${trio#* }" \
        >"$work/lib/trio-${trio%% *}.toml"
done
for trio in 'a "sha256", "sha384"' 'b "sha384", "sha512"' 'c "sha256", "sha512"' 'd "sha224"'; do
    printf 'id = "trio-h%s"\n%s\n[signature]\nhashes = [%s]\n' "${trio%% *}" "$head" \
        "${trio#* }" >"$work/lib/trio-h${trio%% *}.toml"
done

# broken NAME BODY...: a profile NAME whose id is right, the rest is BODY.
broken() {
    local name=$1
    shift
    printf 'id = "%s"\n%s\n%s\n' "$name" "$head" "$*" >"$work/lib/$name.toml"
}
broken wrong-type '[key]
rsa_bits = "2048"'
broken wrong-element-type '[key]
rsa_bits = [2048, "x"]'
broken float 'legacy = 1.5'
broken date '[validity]
max_days = 2024-01-01'
broken table-array '[[key]]
rsa_bits = [2048]'
broken out-of-range '[serial]
bytes = 40'
broken out-of-range-low '[validity]
default_days = 0'
broken out-of-range-element '[key]
rsa_bits = [2048, 512]'
broken version '[certificate]
version = 2'
broken unknown-key '[key]
rsa_bit = [2048]'
broken unknown-top-key 'legacyy = true'
broken unknown-key-far '[tls]
zzzzzz = 1'
broken unknown-section '[keys]
rsa_bits = [2048]'
broken unknown-section-far '[zzzzzzzz]
a = 1'
broken nested '[key.more]
x = 1'
broken bad-hash '[signature]
hashes = ["sha256", "sha3"]'
broken bad-default-hash '[signature]
default_hash = "sha3"'
broken bad-kind 'kind = "printer"'
broken bad-encoding '[subject]
dn_encoding = "ascii"'
broken bad-format '[import]
ca_format = "p7b"'
broken bad-pfx '[import]
pkcs12_encryption = ["des"]'
broken bad-eku '[extensions]
extended_key_usage = ["serverAuthh"]'
broken bad-ku '[extensions]
key_usage = ["digitalsignature"]'
broken bad-ca-ku '[ca]
key_usage = ["keyCertSign", "nope"]'
broken bad-tls '[tls]
versions = ["tls1.4"]'
broken bad-algorithm '[key]
algorithms = ["ec"]'
broken empty-rsa '[key]
rsa_bits = []'
broken empty-hashes '[signature]
hashes = []'
broken empty-ku '[extensions]
key_usage = []'
broken empty-pfx '[import]
pkcs12_encryption = []'
broken empty-vendor 'vendor = ""'
broken empty-os 'kind = "host"
[host]
os = ""'
broken twice '[key]
rsa_bits = [2048, 2048]'
broken twice-text 'models = ["a", "b", "a"]'
broken bad-extends 'extends = "defualt"'
broken bad-extends-far 'extends = "zzzzzzzzzzzzzz"'
broken extends-type 'extends = ["default"]'
broken default-rsa '[key]
rsa_bits = [2048, 3072]
default_rsa_bits = 4096'
broken default-hash '[signature]
hashes = ["sha256"]
default_hash = "sha512"'
broken days '[validity]
default_days = 400
max_days = 300'
broken inherited-days '[validity]
default_days = 4000'
broken ca-days '[ca]
days = 400
max_days = 300'
broken serial '[serial]
bytes = 10
min_bytes = 12'
broken host-without-os 'kind = "host"'
broken device-with-os '[host]
os = "Windows"'
broken weak-hash '[signature]
hashes = ["sha256", "md5"]'
broken weak-rsa '[key]
rsa_bits = [1024]'
broken quiet-legacy 'extends = "konica-legacy"'
broken syntax 'name2 = '
printf 'id = "other"\n%s\n' "$head" >"$work/lib/wrong-id.toml"
printf 'id = "no-sources"\nname = "x"\n' >"$work/lib/no-sources.toml"
printf 'id = "no-name"\nextends = "default"\n' >"$work/lib/no-name.toml"
printf 'id = "cycle-a"\n%s\nextends = "cycle-b"\n' "$head" >"$work/lib/cycle-a.toml"
printf 'id = "cycle-b"\n%s\nextends = "cycle-a"\n' "$head" >"$work/lib/cycle-b.toml"

for file in "$work"/lib/*.toml; do
    name=$(basename "$file" .toml)
    run "file-$name" profiles show "$file"
    run "file-$name.json" profiles show "$file" --json
    run "lint-$name" profiles lint "$file"
done
CERTFORGE_PROFILE_PATH="$work/lib" run list-with-broken profiles list
CERTFORGE_PROFILE_PATH="$work/lib" run show-by-name-full profiles show full

if [ -n "$tests" ]; then
    CERTFORGE_SNAPSHOT_FILE="$out/common-ground.json" CERTFORGE_SNAPSHOT_PROFILES="$work/lib" \
        "$tests" '[.snapshot]' >/dev/null
fi
echo "profile-snapshot.sh: $(ls "$out" | wc -l) files in $out"
