#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Writes every kind of file certforge makes (make, csr, export in each format,
# bundle, ca init/sign/crl, schannel, batch) into OUT, with a frozen clock
# (faketime) and a fixed random sequence (CERTFORGE_TEST_FIXED_RANDOM, a test
# build's hook), then lists their SHA-256 sums in OUT/SHA256SUMS. Two builds
# that behave the same write the same sums: golden_test.sh compares them with
# tests/data/golden/, and a refactoring can be checked against the commit
# before it.
#
# usage: write_outputs.sh CERTFORGE OUT
set -euo pipefail
certforge=$(realpath "$1")
out=$2
command -v faketime >/dev/null || { echo "write_outputs.sh: needs faketime (apt-get install faketime)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
cd "$out"

export CERTFORGE_PROFILE_PATH=
# faketime preloads its library ahead of ASan's runtime in a sanitize build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# certforge with the frozen clock and the random sequence SEED: frozen SEED ARGS...
# (its output on stdout, its messages into stderr.log).
frozen() {
    local seed=$1
    shift
    CERTFORGE_TEST_FIXED_RANDOM="$seed" CERTFORGE_TEST_VERSION=0.1.0 \
        faketime -f '2026-06-01 12:00:00' \
            "$certforge" "$@" 2>>stderr.log
}
# A command that writes files. Each run gets a seed of its own (else a CA
# would draw the same serial twice).
run=0
cf() {
    run=$((run + 1))
    if ! frozen "golden-$run" "$@" >/dev/null; then
        echo "write_outputs.sh: failed: certforge $*" >&2
        tail -n 3 stderr.log >&2
        exit 1
    fi
}

backends=$("$certforge" version --json 2>>stderr.log | python3 -c 'import json,sys; print(" ".join(b["name"] for b in json.load(sys.stdin)["backends"]))')
# PKCS#12 and PKCS#7 are written with OpenSSL whatever the backend.
has_pfx=no
case " $backends " in *" openssl "*) has_pfx=yes ;; esac
printf 'secret-for-golden-outputs\n' > pw

for be in $backends; do
    mkdir "$be"
    cf make --backend "$be" --profile default --cn printer.example --san ip:192.0.2.10 \
        --password-file pw --out "$be/make-modern"
    cf make --backend "$be" --profile konica-legacy --cn old-printer.example \
        --password-file pw --out "$be/make-legacy"
    cf csr --backend "$be" --profile default --cn request.example --out "$be/csr"
    cf ca init --backend "$be" --profile default --name "Golden Print CA" --out "$be/ca"
    cf ca sign --backend "$be" --ca "$be/ca" --profile default --out "$be/signed.crt" "$be/csr/server.csr"
    cf make --backend "$be" --profile hp-futuresmart --cn ca-signed.example --ca "$be/ca" \
        --password-file pw --out "$be/make-ca"
    # A listing writes nothing and draws no serial: a seed of its own, no run number.
    serial=$(frozen golden-list ca list --ca "$be/ca" --json |
             python3 -c 'import json,sys; print(json.load(sys.stdin)["certificates"][0]["serial"])')
    cf ca revoke --ca "$be/ca" "$serial" --reason keyCompromise
    cf ca crl --backend "$be" --ca "$be/ca" --out "$be/crl.pem"
    cf ca crl --backend "$be" --ca "$be/ca" --der --out "$be/crl.der"
    key="$be/make-ca/server.key"
    cert="$be/make-ca/server.crt"
    formats="jks truststore-jks der pem pem-chain"
    [ "$has_pfx" = yes ] && formats="pfx pfx-3des pfx-rc2 p7b $formats"
    for format in $formats; do
        cf export --backend "$be" --key "$key" --cert "$cert" --chain "$be/ca/ca.crt" \
            --format "$format" --password-file pw --out "$be/export.$format"
    done
    [ "$has_pfx" = yes ] && cf export --backend "$be" --in "$be/export.pfx" --in-password-file pw \
        --format pfx --server-os windows-server-2012r2 --password-file pw --out "$be/export-2012r2.pfx"
    cf bundle --backend "$be" --profile hp-futuresmart --ca "$be/ca" --cert "$cert" --key "$key" \
        --password-file pw --out "$be/bundle.zip"
    site_formats='"import-bundle", "jks", "der"'
    [ "$has_pfx" = yes ] && site_formats='"pfx", "import-bundle", "jks", "p7b", "der"'
    cat > "$be/sites.toml" <<SITES
[defaults]
profiles = ["default"]
server_os = "windows-server-2019"
formats = [$site_formats]
organization = "Golden Print Services"
country = "CZ"

[[site]]
id = "north"
cn = "north.example"
sans = ["dns:north", "ip:10.20.0.15"]
profiles = ["konica-bizhub-i", "ricoh-im-act2"]

[[site]]
id = "south"
cn = "south.example"
server_os = "windows-server-2012r2"
SITES
    # One worker: with several, the order in which sites draw from the fixed
    # random sequence would vary.
    cf batch --backend "$be" --ca "$be/ca" --out "$be/batch" --jobs 1 "$be/sites.toml"
done

cf schannel --enable tls1.2 --disable tls1.0,tls1.1 --dh-min-bits 2048 --dotnet-strong-crypto --i-understand \
    --out schannel.reg
cf schannel --enable tls1.0 --side client --encoding ascii --i-understand --out schannel-legacy.reg

# The ledger (ca.db) is SQLite's own format, its page layout not ours; every
# other file is compared byte for byte.
find . -type f ! -name stderr.log ! -name pw ! -name ca.db ! -name '*.db-*' ! -name SHA256SUMS \
    -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
