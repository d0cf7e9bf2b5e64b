#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SCEP benchmark (not a test: nothing here asserts a rate). In one run, on
# loopback, as Markdown tables:
#   1. `certforge scep serve` on an RSA-2048 CA (default profile; the ledger
#      fsynced as always) and the peer, micromdm/scep's server
#      (../shared/tools/scep-peer: scepd, RSA-2048 CA), each driven by the
#      same two clients at 1, 8 and 32 concurrent clients:
#        - the Go test client's `load` (tests/support/scep_client): every
#          PKCSReq made before the clock starts, keep-alive connections;
#          enrollments/s, p50 and p99 latency, failures;
#        - the peer's own scepc (makes each CSR in the loop, 3DES/SHA-1 as
#          its library does); enrollments/s, failures;
#      then each server's records: certforge's ledger (entries, distinct
#      serials), the peer's depot index (entries, serials seen twice);
#   2. the limits: the CA key's raw RSA-2048 signing rate (openssl speed,
#      one core and every core) and the ledger's commit rate (SQLite, WAL,
#      synchronous=FULL, one row per commit, in the same filesystem).
# Usage: bench/scep_bench.sh [-n 300]
set -euo pipefail
cd "$(dirname "$0")/.."

n=300
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n=$2; shift 2 ;;
    *) echo "usage: $0 [-n ENROLLMENTS]" >&2; exit 2 ;;
  esac
done

bash packaging/install-deps.sh --bench
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
certforge=$PWD/build/bench/src/certforge
peer_tools=$(cd ../shared/tools/scep-peer 2>/dev/null && pwd) ||
  { echo "scep_bench.sh: ../shared/tools/scep-peer is missing" >&2; exit 1; }
work=$(mktemp -d /tmp/certforge-scep-bench.XXXXXX)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bash tests/support/scep_client/build.sh "$work/client"
bash "$peer_tools/build.sh" "$work" >/dev/null
cd "$work"

# wait_for_url FILE: the server's first URL, once it prints one.
wait_for_url() {
  for _ in $(seq 200); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$1" 2>/dev/null | head -n 1 || true)
    [ -n "$url" ] && { echo "$url"; return; }
    sleep 0.05
  done
  echo "scep_bench.sh: no server: $(cat "$1"*)" >&2
  exit 1
}

# run_clients NAME URL CHALLENGE_FILE: one table row per client and concurrency.
run_clients() {
  local name=$1 url=$2 challenge_file=$3 c line
  for c in 1 8 32; do
    line=$(./client -timeout 60 load -url "$url/scep" -challenge-file "$challenge_file" -n "$n" -c "$c" \
      -prefix "$name-$c-")
    # "enrolled X, failed Y, R/s over C clients, p50 A ms, p99 B ms"
    echo "$line" | awk -v name="$name" -v c="$c" -F'[ ,/]+' \
      '{ printf "| %s | load (pre-made) | %d | %s | %s | %s | %s |\n", name, c, $5, $11, $14, $2 " ok, " $4 " failed" }'
  done
  for c in 1 8 32; do
    line=$(./scepc -url "$url/scep" -challenge "$(cat "$challenge_file")" -n "$n" -c "$c" 2>/dev/null || true)
    # "enrolled X, failed Y, R/s over C clients"
    echo "$line" | awk -v name="$name" -v c="$c" -F'[ ,/]+' \
      '{ printf "| %s | scepc | %d | %s | | | %s |\n", name, c, $5, $2 " ok, " $4 " failed" }'
  done
}

echo "| server | client | clients | enrollments/s | p50 ms | p99 ms | result |"
echo "|---|---|---:|---:|---:|---:|---|"

"$certforge" ca init --profile default --name "Bench CA" --out ca >/dev/null
"$certforge" scep challenge --ca ca --profile default --uses 1000000 --valid 1d >challenge 2>/dev/null
"$certforge" scep serve --ca ca --listen 127.0.0.1:0 >certforge.out 2>certforge.err &
server_pid=$!
url=$(wait_for_url certforge.out)
run_clients certforge "$url" challenge
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
certforge_records=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n, d = db.execute("SELECT count(*), count(DISTINCT serial) FROM certificates WHERE source = \"scep\"").fetchone()
print(f"{n} entries, {d} distinct serials")' ca/ca.db)

mkdir depot
openssl req -x509 -newkey rsa:2048 -nodes -keyout depot/plain.key -out depot/ca.pem -subj /CN=PeerCA \
  -days 30 2>/dev/null
openssl rsa -in depot/plain.key -des3 -traditional -passout pass:benchpass -out depot/ca.key 2>/dev/null
rm depot/plain.key
echo "PEERCHALLENGE" >peer-challenge
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./scepd -depot depot -listen "127.0.0.1:$port" -challenge PEERCHALLENGE -capass benchpass >peer.out 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$port" \
    2>/dev/null && break
  sleep 0.1
done
run_clients peer "http://127.0.0.1:$port" peer-challenge
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
peer_records=$(awk -F'\t' '{ print $4 }' depot/index.txt | sort | uniq -c |
  awk '{ n += $1; if ($1 > 1) { dup += 1; worst = ($1 > worst ? $1 : worst) } }
       END { printf "%d entries, %d serials seen more than once (the worst %d times)", n, dup, worst }')
echo
echo "Records: certforge's ledger: $certforge_records; the peer's depot: $peer_records."
echo
echo "| limit | per second |"
echo "|---|---:|"
one=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ { print $6 }')
all=$(openssl speed -seconds 3 -multi "$(nproc)" rsa2048 2>/dev/null | awk '/^rsa 2048/ { print $6 }')
echo "| RSA-2048 signatures, one core (openssl speed) | $one |"
echo "| RSA-2048 signatures, $(nproc) cores | $all |"
commits=$(python3 -c '
import sqlite3, time
db = sqlite3.connect("commit-rate.db", isolation_level=None)
db.execute("PRAGMA journal_mode = WAL"); db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE t (x BLOB)")
start = time.time(); n = 0
while time.time() - start < 3:
    db.execute("BEGIN IMMEDIATE"); db.execute("INSERT INTO t VALUES (randomblob(1200))"); db.execute("COMMIT"); n += 1
print(f"{n / (time.time() - start):.0f}")')
echo "| ledger commits (SQLite WAL, synchronous=FULL, one row each) | $commits |"
