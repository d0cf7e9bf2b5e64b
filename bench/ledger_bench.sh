#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Ledger benchmarks (not tests: nothing here asserts a time). Measures, in one
# run on one machine, `certforge batch` with the CA ledger in SQLite (ca.db)
# and in PostgreSQL (a server this script starts on 127.0.0.1 with its
# default durability: fsync and synchronous_commit on), at --jobs 2 and as
# two runners at once (--jobs 1 each, separate output folders, one CA), and
# prints Markdown tables. Sites use RSA-1024 keys and formats = [], so that
# the ledger's share of each site shows.
# Usage: bench/ledger_bench.sh [--sites 300] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."

sites=300 rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --sites) sites=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: $0 [--sites N] [--rounds N]" >&2; exit 2 ;;
  esac
done

bash packaging/install-deps.sh --test
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
certforge=$PWD/build/bench/src/certforge
work=$(mktemp -d /tmp/certforge-ledger-bench.XXXXXX)
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$work"
  as_owner=(runuser -u postgres --)
fi
stop_server() {
  [ -f "$work/data/postmaster.pid" ] && "${as_owner[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
  rm -rf "$work"
}
trap stop_server EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo bench-password >"$work/pw"
chmod 0644 "$work/pw"
"${as_owner[@]}" "$bin/initdb" -D "$work/data" -U certforge --pwfile "$work/pw" \
  --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$work" start >/dev/null
export PGPASSWORD=bench-password

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

cat >"$work/bench-1024.toml" <<'TOML'
id = "bench-1024"
name = "benchmarks: RSA 1024, SHA-256"
extends = "default"
legacy = true
sources = ["bench/ledger_bench.sh"]

[key]
rsa_bits = [1024]
TOML
{
  printf '[defaults]\nprofiles = ["%s"]\nformats = []\n\n' "$work/bench-1024.toml"
  for ((i = 1; i <= sites; i++)); do
    printf '[[site]]\nid = "site-%d"\ncn = "print-%d.example.com"\nsans = ["ip:10.0.%d.%d"]\n\n' \
      "$i" "$i" $((i / 256)) $((i % 256))
  done
} >"$work/sites.toml"

# new_ca LEDGER: a fresh CA folder (and database), its path on stdout.
new_ca() {
  local dir name
  dir=$(mktemp -d "$work/ca-XXXXXX")
  name=$(basename "$dir" | tr 'A-Z-' 'a-z_')
  if [ "$1" = postgresql ]; then
    psql -X -q -d "postgresql://certforge@127.0.0.1:$port/postgres" -c "CREATE DATABASE $name" >&2
    "$certforge" ca init --profile "$work/bench-1024.toml" --name "Bench CA" --out "$dir" --force \
      --ledger "postgresql://certforge@127.0.0.1:$port/$name" >/dev/null 2>&1
  else
    "$certforge" ca init --profile "$work/bench-1024.toml" --name "Bench CA" --out "$dir" --force >/dev/null 2>&1
  fi
  echo "$dir"
}
# timed LEDGER RUNNERS JOBS: seconds for RUNNERS batch runs at once, each
# issuing every site (a failed run stops the benchmark).
timed() {
  local ca start pids=() r
  ca=$(new_ca "$1")
  start=$(now)
  for ((r = 1; r <= $2; r++)); do
    "$certforge" batch "$work/sites.toml" --ca "$ca" --out "$ca/out-$r" --jobs "$3" >"$ca/run-$r.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "a batch run failed: $ca" >&2; exit 1; }; done
  for ((r = 1; r <= $2; r++)); do
    grep -q "$sites sites: $sites created" "$ca/run-$r.log" || { echo "not all created: $ca/run-$r.log" >&2; exit 1; }
  done
  since "$start"
  echo
}

echo "# certforge ledger benchmarks"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(psql --version | cut -d' ' -f3-), SQLite $(dpkg-query -W -f='${Version}' libsqlite3-0), $sites RSA-1024 sites a runner, median of $rounds rounds"
echo
echo "| run | ledger | seconds | sites/s | PostgreSQL vs SQLite |"
echo "|---|---|---:|---:|---:|"
for shape in "1 2" "2 1"; do
  set -- $shape
  declare -A seconds=()
  for ledger in sqlite postgresql; do
    seconds[$ledger]=$(for ((k = 0; k < rounds; k++)); do timed "$ledger" "$1" "$2"; done | median)
  done
  label="one runner, --jobs $2"
  [ "$1" -gt 1 ] && label="$1 runners at once, --jobs $2 each"
  for ledger in sqlite postgresql; do
    rate=$(awk -v n=$((sites * $1)) -v s="${seconds[$ledger]}" 'BEGIN { printf "%.1f", n / s }')
    vs=$(awk -v a="${seconds[sqlite]}" -v b="${seconds[$ledger]}" 'BEGIN { printf "%.2fx", a / b }')
    echo "| $label | $ledger | ${seconds[$ledger]} | $rate | $vs |"
  done
done
