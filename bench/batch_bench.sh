#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Batch benchmarks (not tests: nothing here asserts a time). Measures, in one
# run on one machine, and prints as Markdown tables:
#   1. `certforge batch` of N RSA-2048 sites per backend at --jobs 1 and 2,
#      against a shell loop of `openssl req -x509 -newkey rsa:2048 -CA` and
#      one of `cfssl gencert` doing the same work (key + CA-signed
#      certificate with the same names), and against the limit: the raw
#      library's single-thread key generation rate times the cores;
#   2. peak memory (max RSS) of a dry run over M sites and of a real run of
#      R RSA-1024 sites;
#   3. `certforge verify` of V certificates in one call against a loop of
#      `openssl x509 -noout -text` over the same files.
# Usage: bench/batch_bench.sh [--sites 200] [--dry-sites 10000]
#                             [--real-sites 1000] [--verify-certs 10000]
set -euo pipefail
cd "$(dirname "$0")/.."

sites=200 dry_sites=10000 real_sites=1000 verify_certs=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --dry-sites) dry_sites=$2; shift 2 ;;
    --real-sites) real_sites=$2; shift 2 ;;
    --verify-certs) verify_certs=$2; shift 2 ;;
    *) echo "usage: $0 [--sites N] [--dry-sites N] [--real-sites N] [--verify-certs N]" >&2; exit 2 ;;
  esac
done

bash packaging/install-deps.sh --bench
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
certforge=$PWD/build/bench/src/certforge
raw_rate=$PWD/build/bench/bench/certforge_raw_keygen_rate
work=$(mktemp -d /tmp/certforge-batch-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.2f", n / s }'; }
# Peak resident memory of a command, in MiB (ru_maxrss of the child).
peak_mib() {
  python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.1f}")' "$@"
}
san_ip() { echo "10.$(( $1 / 65536 % 256 )).$(( $1 / 256 % 256 )).$(( $1 % 256 ))"; }

# sites FILE COUNT PROFILE FORMATS
write_sites() {
  local file=$1 count=$2 profile=$3 formats=$4 i
  {
    printf '[defaults]\nprofiles = ["%s"]\nformats = %s\npassword_env = "BENCH_PFX_PASSWORD"\n\n' \
      "$profile" "$formats"
    for ((i = 1; i <= count; i++)); do
      printf '[[site]]\nid = "site-%d"\ncn = "print-%d.example.com"\nsans = ["ip:%s"]\n\n' \
        "$i" "$i" "$(san_ip "$i")"
    done
  } >"$file"
}
export BENCH_PFX_PASSWORD=bench-password

"$certforge" ca init --profile default --name "Bench CA" --out "$work/ca" --backend botan >/dev/null
cat >"$work/bench-1024.toml" <<'TOML'
id = "bench-1024"
name = "benchmarks: RSA 1024, SHA-256"
extends = "default"
legacy = true
sources = ["bench/batch_bench.sh"]

[key]
rsa_bits = [1024]
TOML

echo "# certforge batch benchmarks"
echo
echo "$(date -u +%Y-%m-%d), $cores cores, $(openssl version | cut -d' ' -f1-2), Botan $(dpkg-query -W -f='${Version}' libbotan-2-19 2>/dev/null || echo 2), cfssl $(cfssl version | awk '/Version/ {print $2}')"
echo

# --- 1. throughput ----------------------------------------------------------
read -r _ openssl_rate < <("$raw_rate" --bits 2048 --keys 100 | grep '^openssl')
read -r _ botan_rate < <("$raw_rate" --bits 2048 --keys 300 | grep '^botan')

start=$(now)
for ((i = 1; i <= sites; i++)); do
  mkdir -p "$work/openssl-loop/site-$i"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=print-$i.example.com" \
    -addext "subjectAltName=DNS:print-$i.example.com,IP:$(san_ip "$i")" \
    -addext "extendedKeyUsage=serverAuth" \
    -CA "$work/ca/ca.crt" -CAkey "$work/ca/ca.key" \
    -keyout "$work/openssl-loop/site-$i/server.key" -out "$work/openssl-loop/site-$i/server.crt" \
    2>/dev/null
done
openssl_loop=$(since "$start")

start=$(now)
for ((i = 1; i <= sites; i++)); do
  mkdir -p "$work/cfssl-loop/site-$i"
  printf '{"CN":"print-%d.example.com","hosts":["print-%d.example.com","%s"],"key":{"algo":"rsa","size":2048}}' \
    "$i" "$i" "$(san_ip "$i")" |
    cfssl gencert -ca "$work/ca/ca.crt" -ca-key "$work/ca/ca.key" - 2>/dev/null |
    cfssljson -bare "$work/cfssl-loop/site-$i/server"
done
cfssl_loop=$(since "$start")

write_sites "$work/same-work.toml" "$sites" default '[]'
write_sites "$work/full.toml" "$sites" default '["pfx", "bundle"]'

echo "## $sites RSA-2048 sites: key + CA-signed certificate each"
echo
echo "Limit = the raw library's single-thread key rate x $cores cores (OpenSSL $(printf %.2f "$openssl_rate") keys/s, Botan $(printf %.2f "$botan_rate") keys/s). 'same work' writes server.key, server.crt, chain.pem, ca.crt (formats = []); 'make's files' adds server.pfx and import-bundle.zip."
echo
echo "| run | seconds | sites/s | of the limit | vs openssl loop | vs cfssl loop |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| shell loop: openssl req -x509 -newkey rsa:2048 -CA | $openssl_loop | $(rate "$sites" "$openssl_loop") | | 1.00x | $(ratio "$cfssl_loop" "$openssl_loop")x |"
echo "| shell loop: cfssl gencert + cfssljson | $cfssl_loop | $(rate "$sites" "$cfssl_loop") | | $(ratio "$openssl_loop" "$cfssl_loop")x | 1.00x |"
for backend in openssl botan; do
  limit_rate=$([ "$backend" = openssl ] && echo "$openssl_rate" || echo "$botan_rate")
  for jobs in 1 2; do
    for kind in same-work full; do
      [ "$kind" = full ] && [ "$jobs" = 1 ] && continue
      out="$work/out-$backend-$jobs-$kind"
      start=$(now)
      "$certforge" batch "$work/$kind.toml" --ca "$work/ca" --out "$out" --backend "$backend" \
        --jobs "$jobs" >/dev/null
      seconds=$(since "$start")
      label=$([ "$kind" = full ] && echo "make's files" || echo "same work")
      limit=$(awk -v r="$limit_rate" -v j="$jobs" 'BEGIN { print r * j }')
      echo "| certforge batch --backend $backend --jobs $jobs ($label) | $seconds | $(rate "$sites" "$seconds") | $(ratio "$(rate "$sites" "$seconds")" "$limit") of $(printf %.1f "$limit")/s | $(ratio "$openssl_loop" "$seconds")x | $(ratio "$cfssl_loop" "$seconds")x |"
    done
  done
done
echo

# --- 2. peak memory -----------------------------------------------------------
write_sites "$work/dry.toml" "$dry_sites" default '["pfx", "bundle"]'
write_sites "$work/real.toml" "$real_sites" "$work/bench-1024.toml" '["pfx", "bundle"]'
write_sites "$work/verify.toml" "$verify_certs" "$work/bench-1024.toml" '[]'
echo "## Peak memory (max RSS)"
echo
echo "| run | MiB |"
echo "|---|---:|"
echo "| batch --dry-run, $dry_sites new sites | $(peak_mib "$certforge" batch "$work/dry.toml" --ca "$work/ca" --out "$work/dry-out" --dry-run) |"
echo "| batch, $real_sites real RSA-1024 sites (make's files), --jobs $cores, botan | $(peak_mib "$certforge" batch "$work/real.toml" --ca "$work/ca" --out "$work/real-out" --backend botan) |"
echo "| batch, $real_sites real RSA-1024 sites (make's files), --jobs $cores, openssl | $(peak_mib "$certforge" batch "$work/real.toml" --ca "$work/ca" --out "$work/real-out-openssl" --backend openssl) |"
echo "| batch --dry-run over those $real_sites existing sites (all checked, skipped) | $(peak_mib "$certforge" batch "$work/real.toml" --ca "$work/ca" --out "$work/real-out" --dry-run) |"
echo

# --- 3. verify ------------------------------------------------------------------
"$certforge" batch "$work/verify.toml" --ca "$work/ca" --out "$work/verify-out" --backend botan >/dev/null
mapfile -t certs < <(find "$work/verify-out" -name server.crt | sort)
start=$(now)
"$certforge" verify --profile "$work/bench-1024.toml" "${certs[@]}" >/dev/null 2>&1
verify_one_call=$(since "$start")
verify_memory=$(peak_mib "$certforge" verify --profile "$work/bench-1024.toml" "${certs[@]}")
start=$(now)
for cert in "${certs[@]}"; do
  openssl x509 -noout -text -in "$cert" >/dev/null
done
openssl_text_loop=$(since "$start")
echo "## ${#certs[@]} certificates"
echo
echo "| run | seconds | certificates/s | vs openssl loop |"
echo "|---|---:|---:|---:|"
echo "| shell loop: openssl x509 -noout -text | $openssl_text_loop | $(rate "${#certs[@]}" "$openssl_text_loop") | 1.00x |"
echo "| certforge verify --profile, one call ($verify_memory MiB peak) | $verify_one_call | $(rate "${#certs[@]}" "$verify_one_call") | $(ratio "$openssl_text_loop" "$verify_one_call")x |"
