#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fleet probe benchmark (not a test: nothing here asserts a time). Starts a
# loopback fleet of N devices (127.0.1.1 and up, one port; the personalities
# of tests/support/tls_fleet.cpp in turn: TLS 1.0 DHE-1024, 512-bit DH,
# bad_record_mac on TLS 1.2, TLS 1.2 ECDHE, TLS 1.3, a closed port, a silent
# listener, an HTTP server), each waiting DELAY ms before every handshake,
# and measures in one run, as a Markdown table, wall time and peak memory of:
#   1. `certforge probe --targets` over the whole fleet (default --jobs);
#   2. `nmap -Pn -n -p PORT -iL LIST --script ssl-enum-ciphers` on the same
#      addresses, nmap's default timing;
#   3. a shell loop of single `certforge probe HOST:PORT` calls;
# and each personality's own single-device probe time (the slowest is the
# floor a fleet run cannot beat); then the runner alone at scale: S targets
# on addresses where nothing listens (each refused at once), for wall time
# and peak memory against the same run over the first 254 of them.
# Usage: bench/fleet_bench.sh [--devices 254] [--delay 150] [--scale 4000]
set -euo pipefail
cd "$(dirname "$0")/.."

devices=254 delay=150 scale=4000
while [ $# -gt 0 ]; do
  case "$1" in
    --devices) devices=$2; shift 2 ;;
    --delay) delay=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    *) echo "usage: $0 [--devices N] [--delay MS] [--scale N]" >&2; exit 2 ;;
  esac
done
[ "$devices" -ge 1 ] && [ "$devices" -le 254 ] || { echo "--devices: 1 to 254" >&2; exit 2; }

bash packaging/install-deps.sh --bench
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
certforge=$PWD/build/bench/src/certforge
fleet_helper=$PWD/build/bench/bench/certforge_bench_tls_fleet
work=$(mktemp -d /tmp/certforge-fleet-bench.XXXXXX)
fleet_pid=
cleanup() {
  [ -z "$fleet_pid" ] || kill "$fleet_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out modern.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out legacy.key 2>/dev/null
openssl req -x509 -key modern.key -subj /CN=modern-mfp -days 30 -sha256 -out modern.crt
openssl req -x509 -key legacy.key -subj /CN=legacy-mfp -days 30 -sha1 -out legacy.crt 2>/dev/null
openssl genpkey -genparam -algorithm DH -pkeyopt dh_paramgen_prime_len:512 -out dh512.pem 2>/dev/null
openssl genpkey -genparam -algorithm DH -pkeyopt dh_paramgen_prime_len:1024 -out dh1024.pem 2>/dev/null

personalities=(legacy-dhe1024 dh512 bad-record-mac ecdhe-tls12 tls13 closed silent http)
: >devices.txt
for ((i = 1; i <= devices; i++)); do
  echo "127.0.1.$i ${personalities[$(( (i - 1) % ${#personalities[@]} ))]}" >>devices.txt
done
"$fleet_helper" --devices devices.txt --cert modern.crt --key modern.key \
  --legacy-cert legacy.crt --legacy-key legacy.key --dh512 dh512.pem --dh1024 dh1024.pem \
  --delay "$delay" --lifetime 7200 >fleet.out 2>&1 &
fleet_pid=$!
for _ in $(seq 50); do grep -q '^listening' fleet.out 2>/dev/null && break; sleep 0.2; done
port=$(awk '/^listening/ {print $2}' fleet.out)
[ -n "$port" ] || { echo "the fleet did not start: $(cat fleet.out)" >&2; exit 1; }
awk -v p="$port" '{print $1 ":" p, "dev" NR "-" $2}' devices.txt >targets.txt
awk '{print $1}' devices.txt >addresses.txt

# measure NAME COMMAND...: wall seconds and peak MiB into NAME.time
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$name.time" "$@" >"$name.out" 2>"$name.err" || true
}
# (GNU time puts "Command exited with non-zero status N" first when it is.)
wall() { tail -1 "$1.time" | cut -d' ' -f1; }
mib() { tail -1 "$1.time" | awk '{printf "%.1f", $2 / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

slowest=0 slowest_name=
for ((k = 0; k < ${#personalities[@]} && k < devices; k++)); do
  target=$(sed -n "$((k + 1))p" targets.txt | cut -d' ' -f1)
  measure "single-$k" "$certforge" probe "$target" --json
  t=$(wall "single-$k")
  singles+="| ${personalities[$k]} | $t |"$'\n'
  if awk -v a="$t" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then slowest=$t slowest_name=${personalities[$k]}; fi
done

measure fleet "$certforge" probe --targets targets.txt --json
measure nmap nmap -Pn -n -p "$port" -iL addresses.txt --script ssl-enum-ciphers
loop() {
  while read -r target _; do "$certforge" probe "$target" --json >/dev/null 2>&1 || true; done <targets.txt
}
export -f loop; export certforge
measure loop bash -c loop

# The runner at scale: nothing listens on 127.0.10.0 and up.
: >scale.txt
for ((i = 0; i < scale; i++)); do
  echo "127.0.$((10 + i / 250)).$((1 + i % 250)):$port" >>scale.txt
done
head -254 scale.txt >scale-254.txt
measure scale-254 "$certforge" probe --targets scale-254.txt --json
measure scale "$certforge" probe --targets scale.txt --json

probed=$(python3 -c 'import json; d=json.load(open("fleet.out")); print(d["summary"]["probed"], d["summary"]["not_tls"], d["summary"]["unreachable"], d["jobs"])')
echo "# certforge fleet probe benchmark"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(openssl version | cut -d' ' -f1-2), $(nmap --version | head -1)"
echo "$devices loopback devices, ${delay} ms before every handshake; certforge: probed, not TLS, unreachable, jobs = $probed"
echo
echo "| run | wall s | peak MiB | certforge is faster by |"
echo "|---|---:|---:|---:|"
echo "| certforge probe --targets (all at once) | $(wall fleet) | $(mib fleet) | 1.0x |"
echo "| nmap ssl-enum-ciphers -iL | $(wall nmap) | $(mib nmap) | $(ratio "$(wall nmap)" "$(wall fleet)")x |"
echo "| shell loop of certforge probe | $(wall loop) | $(mib loop) | $(ratio "$(wall loop)" "$(wall fleet)")x |"
echo
echo "Slowest single device: $slowest_name, $slowest s; the fleet took $(ratio "$(wall fleet)" "$slowest")x that."
echo
echo "| the runner alone: targets refused at once | wall s | peak MiB |"
echo "|---|---:|---:|"
echo "| 254 targets | $(wall scale-254) | $(mib scale-254) |"
echo "| $scale targets | $(wall scale) | $(mib scale) |"
echo
echo "| personality (one device alone) | wall s |"
echo "|---|---:|"
printf '%s' "$singles"
