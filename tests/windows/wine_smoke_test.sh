#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Windows build's smoke suite, run under wine64 (Debian's wine64), with
# Linux tools reading back what certforge.exe wrote:
#   version on both backends; profiles list; ca init + make for default and
#   konica-legacy on both backends (the chain checked by Linux openssl and by
#   the Linux certforge); verify exit codes 0 and 1; export pfx-3des and jks
#   (read by openssl and keytool); bundle; schannel (the .reg bytes equal the
#   Linux build's); batch on examples/sites.toml; probe of a loopback
#   openssl s_server (the same findings as the Linux build), alone and in a
#   fleet beside a closed port; a bad input
#   (exit 3); private files' access lists as far as wine shows them.
# usage: wine_smoke_test.sh WINDOWS_ZIP LINUX_CERTFORGE SOURCE_DIR
#   (WINDOWS_ZIP: what packaging/windows/build.sh made; the test runs the
#   certforge.exe unpacked from it, beside its profiles\ folder)
set -euo pipefail
zip=$(realpath "$1")
linux=$(realpath "$2")
source_dir=$(realpath "$3")
loader=/usr/lib/wine/wine64
for tool in "$loader" openssl keytool unzip python3; do
  command -v "$tool" >/dev/null || {
    echo "FAIL: $tool is missing (packaging/install-deps.sh --windows installs wine64, openssl, openjdk-17-jre-headless, unzip)"
    exit 1
  }
done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  WINEPREFIX=$work/prefix /usr/lib/wine/wineserver64 -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
cd "$work"
unzip -q "$zip" -d package
exe=$(ls "$work"/package/*/certforge.exe)
failures=0
checks=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $*"; }

# win [ARGS...]: certforge.exe in $work; its stdout in out.txt, stderr in
# err.txt; sets rc.
win() {
  rc=0
  "$loader" "$exe" "$@" >out.txt 2>err.txt </dev/null || rc=$?
  tr -d '\r' <out.txt >out.lf && mv out.lf out.txt
  tr -d '\r' <err.txt >err.lf && mv err.lf err.txt
}
# expect CODE WHAT: the last win call's exit code.
expect() {
  if [ "$rc" -eq "$1" ]; then pass "$2"; else fail "$2: exit $rc, expected $1: $(head -c 400 err.txt)"; fi
}

started=$SECONDS
win --version
expect 0 "--version (the first run also makes the wine prefix: $((SECONDS - started)) s)"
grep -q '^certforge ' out.txt || fail "--version printed: $(cat out.txt)"

win version --json
expect 0 "version --json"
backends=$(python3 -c 'import json,sys; print(" ".join(sorted(b["name"] for b in json.load(open("out.txt"))["backends"])))')
[ "$backends" = "botan openssl" ] && pass "both backends built in: $backends" || fail "backends: $backends"

win profiles list
expect 0 "profiles list"
for id in default konica-legacy canon-imagerunner; do
  grep -q "^$id " out.txt || grep -q "^$id\b" out.txt || fail "profiles list lacks $id (the profiles\\ folder beside certforge.exe)"
done

for backend in openssl botan; do
  for profile in default konica-legacy; do
    tag=$backend-$profile
    win ca init --backend "$backend" --profile "$profile" --name "Smoke CA $tag" --out "ca-$tag"
    expect 0 "$tag: ca init"
    win make --backend "$backend" --profile "$profile" --cn print.corp.local \
      --san dns:print --san ip:10.1.2.3 --ca "ca-$tag" --out "made-$tag"
    expect 0 "$tag: make"
    if openssl verify -CAfile "ca-$tag/ca.crt" "made-$tag/server.crt" >verify.txt 2>&1 ||
       { [ "$profile" = konica-legacy ] &&
         openssl verify -auth_level 0 -CAfile "ca-$tag/ca.crt" "made-$tag/server.crt" >verify.txt 2>&1; }; then
      pass "$tag: Linux openssl verifies the chain"
    else
      fail "$tag: openssl verify: $(cat verify.txt)"
    fi
    rc=0
    "$linux" verify --profile "$profile" "made-$tag/server.crt" >linux.txt 2>&1 || rc=$?
    expect 0 "$tag: the Linux certforge verifies what certforge.exe made"
    rc=0
    "$linux" verify --profile "$profile" "made-$tag/server.pfx" \
      --in-password-file "made-$tag/server.pfx.pass" >linux.txt 2>&1 || rc=$?
    expect 0 "$tag: the Linux certforge reads server.pfx"
  done
done

win verify --profile default made-openssl-default/server.crt
expect 0 "verify: a fitting certificate is exit 0"
# A Windows path: drive letter and backslashes (wine's Z: is the Unix root).
windows_path="Z:$(echo "$work/made-openssl-default/server.crt" | tr / '\\')"
win verify --profile default "$windows_path"
expect 0 "verify $windows_path (drive letter, backslashes)"
win verify --profile default made-botan-konica-legacy/server.crt
expect 1 "verify: SHA-1/RSA-1024 against default is exit 1"
grep -qi 'sha-\?1\|1024' out.txt && pass "verify names what fails" || fail "verify output: $(head -5 out.txt)"

win export --in made-openssl-default/server.pfx \
  --in-password-file made-openssl-default/server.pfx.pass --format pfx-3des --out ts.pfx \
  --out-password-file made-openssl-default/server.pfx.pass
expect 0 "export pfx-3des"
if openssl pkcs12 -in ts.pfx -info -nokeys -passin file:made-openssl-default/server.pfx.pass \
     -legacy >pkcs12.txt 2>&1 && grep -q 'pbeWithSHA1And3-KeyTripleDES-CBC' pkcs12.txt; then
  pass "openssl reads ts.pfx: 3DES as asked"
else
  fail "openssl pkcs12: $(head -c 400 pkcs12.txt)"
fi
win export --in made-openssl-konica-legacy/server.pfx \
  --in-password-file made-openssl-konica-legacy/server.pfx.pass --format pfx-rc2 --out rc2.pfx \
  --out-password-file made-openssl-konica-legacy/server.pfx.pass
expect 0 "export pfx-rc2 (OpenSSL's legacy provider, built into the static libcrypto)"
if openssl pkcs12 -in rc2.pfx -info -nokeys -passin file:made-openssl-konica-legacy/server.pfx.pass \
     -legacy >pkcs12.txt 2>&1 && grep -q 'pbeWithSHA1And40BitRC2-CBC' pkcs12.txt; then
  pass "openssl reads rc2.pfx: RC2-40 as asked"
else
  fail "openssl pkcs12 (rc2): $(head -c 400 pkcs12.txt)"
fi
win export --key made-botan-default/server.key --cert made-botan-default/server.crt \
  --chain ca-botan-default/ca.crt --format jks --out sc.jks \
  --out-password-file made-botan-default/server.pfx.pass
expect 0 "export jks"
if keytool -list -keystore sc.jks -storepass:file made-botan-default/server.pfx.pass >keytool.txt 2>&1 &&
   grep -q PrivateKeyEntry keytool.txt; then
  pass "keytool lists sc.jks with its key entry"
else
  fail "keytool: $(head -c 400 keytool.txt)"
fi

win bundle --profile konica-legacy --ca ca-openssl-konica-legacy --out konica-bundle.zip
expect 0 "bundle"
unzip -l konica-bundle.zip >unzip.txt 2>&1 && pass "unzip lists the bundle" || fail "unzip: $(cat unzip.txt)"

# A loopback port nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# A device on loopback: TLS 1.0 only with the legacy certificate.
port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -quiet -tls1 -cipher 'DEFAULT:@SECLEVEL=0' \
  -cert made-openssl-konica-legacy/server.crt -key made-openssl-konica-legacy/server.key \
  >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null && break
  sleep 0.1
done
win probe "127.0.0.1:$port" --server-os windows-server-2025 --timeout 5 --json
[ "$rc" -le 1 ] && pass "probe of a loopback TLS 1.0 device: exit $rc" || fail "probe: exit $rc: $(cat err.txt)"
cp out.txt probe-windows.json
rc=0
"$linux" probe "127.0.0.1:$port" --server-os windows-server-2025 --timeout 5 --json >probe-linux.json 2>/dev/null || rc=$?
summary() {
  python3 - "$1" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
def walk(node, path=""):
    if isinstance(node, dict):
        for key, value in sorted(node.items()):
            if key in ("elapsed_seconds", "started", "duration_ms", "time", "port", "target"):
                continue
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")
    else:
        yield f"{path}={node}"
print("\n".join(walk(report)))
EOF
}
if summary probe-windows.json >probe-windows.txt && summary probe-linux.json >probe-linux.txt &&
   diff probe-linux.txt probe-windows.txt >probe.diff; then
  pass "probe: certforge.exe reports what the Linux build reports ($(wc -l <probe-linux.txt) values)"
else
  fail "probe reports differ: $(head -20 probe.diff)"
fi
# The same device in a fleet, beside a closed port: worker threads and
# Winsock on Windows, the same summary and recommendation as on Linux.
closed=$(free_port)
printf '127.0.0.1:%s legacy-mfd\n127.0.0.1:%s switched-off\n' "$port" "$closed" >fleet.txt
win probe --targets fleet.txt --server-os windows-server-2025 --timeout 5 --json
expect 1 "probe --targets (a device that breaks, one unreachable)"
cp out.txt fleet-windows.json
"$linux" probe --targets fleet.txt --server-os windows-server-2025 --timeout 5 --json \
  >fleet-linux.json 2>/dev/null || true
if python3 - fleet-windows.json fleet-linux.json <<'EOF'
import json, sys
w, l = (json.load(open(name)) for name in sys.argv[1:3])
same = w["summary"] == l["summary"] == {"devices": 2, "probed": 1, "not_tls": 0, "unreachable": 1, "working_today": 0}
same = same and w["recommendation"] == l["recommendation"] and w["matrix"] == l["matrix"]
sys.exit(0 if same else 1)
EOF
then
  pass "probe --targets: the summary, matrix and recommendation equal the Linux build's"
else
  fail "probe --targets differs: $(head -c 400 fleet-windows.json)"
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

# SCEP: certforge.exe has no HTTP server library, and says so; a challenge
# made on Windows goes into the ledger the Linux build reads (schema 3).
win scep serve --ca ca-openssl-default
expect 2 "scep serve: refused in one line (no HTTP server library)"
grep -q "cpp-httplib" err.txt && [ "$(wc -l <err.txt)" -eq 1 ] && pass "scep serve: the reason is named" ||
  fail "scep serve said: $(cat err.txt)"
win scep challenge --ca ca-openssl-default --profile default --cn mfd.example.test
expect 0 "scep challenge"
grep -qE '^[0-9A-F]{32}$' out.txt && pass "scep challenge: 32 hex digits on stdout" ||
  fail "scep challenge printed: $(cat out.txt)"
if python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); sys.exit(0 if db.execute("SELECT count(*) FROM scep_challenges WHERE common_name = ?", ("mfd.example.test",)).fetchone()[0] == 1 and db.execute("PRAGMA user_version").fetchone()[0] == 3 else 1)' ca-openssl-default/ca.db; then
  pass "scep challenge: in the ledger (schema 3), as the Linux build reads it"
else
  fail "scep challenge: not in ca-openssl-default/ca.db"
fi

# No libpq in certforge.exe: a PostgreSQL ledger is refused before anything
# is written.
win ca init --profile default --name "Shared CA" --out ca-shared --ledger postgresql://db.example.test/certforge
expect 2 "ca init --ledger: refused in one line (no libpq)"
grep -q "built without PostgreSQL (libpq)" err.txt && [ "$(wc -l <err.txt)" -eq 1 ] && [ ! -e ca-shared ] &&
  pass "ca init --ledger: the reason is named, nothing written" || fail "ca init --ledger said: $(cat err.txt)"

# No p11-kit in certforge.exe: a CA key on a token is refused the same way.
win ca init --profile default --name "Token CA" --out ca-token --ca-key "pkcs11:token=CA;object=ca"
expect 2 "ca init --ca-key: refused in one line (no p11-kit)"
grep -q "built without PKCS#11 (p11-kit)" err.txt && [ "$(wc -l <err.txt)" -eq 1 ] && [ ! -e ca-token ] &&
  pass "ca init --ca-key: the reason is named, nothing written" || fail "ca init --ca-key said: $(cat err.txt)"

win schannel --from-probe probe-linux.json --out fix.reg
expect 0 "schannel --from-probe"
rc=0
"$linux" schannel --from-probe probe-linux.json --out linux-fix.reg >/dev/null 2>&1 || rc=$?
expect 0 "schannel on Linux"
if cmp -s fix.reg linux-fix.reg && cmp -s fix-undo.reg linux-fix-undo.reg; then
  pass "schannel: fix.reg and fix-undo.reg are byte-equal to the Linux build's ($(stat -c %s fix.reg) bytes)"
else
  fail "schannel: the .reg files differ from the Linux build's"
fi

cp "$source_dir/examples/sites.toml" sites.toml
win batch sites.toml --ca ca-openssl-default --out sites --json
expect 0 "batch on examples/sites.toml"
sites=$(python3 -c 'import json; print(len(json.load(open("out.txt"))["sites"]))' 2>/dev/null || echo 0)
listed=$(grep -c '^\[\[site\]\]' sites.toml)
[ "$sites" -eq "$listed" ] && pass "batch issued all $sites sites" || fail "batch: $sites of $listed sites"
for crt in sites/*/server.crt; do
  openssl verify -CAfile ca-openssl-default/ca.crt "$crt" >/dev/null 2>&1 || fail "batch: openssl does not verify $crt"
done
win batch sites.toml --ca ca-openssl-default --out sites --json
expect 0 "batch again"
python3 -c 'import json,sys; d=json.load(open("out.txt")); sys.exit(0 if all(s["status"]=="skipped" for s in d["sites"]) else 1)' &&
  pass "batch again: every site skipped (idempotent)" || fail "batch again: $(head -c 300 out.txt)"
# An absolute path that starts with "/" is a path, not a Windows-style option.
win batch "$work/sites.toml" --ca ca-openssl-default --out sites --dry-run
expect 0 "batch with an absolute /path (not taken for a /option)"

# UTF-8 arguments: the wide command line reaches certforge as UTF-8.
win ca init --profile default --name "Tiskové CA Brno – Žabovřesky" --out ca-utf8
expect 0 "ca init with a non-ASCII --name"
subject=$(openssl x509 -in ca-utf8/ca.crt -noout -subject -nameopt utf8,sep_comma_plus 2>&1)
case $subject in
  *"CN=Tiskové CA Brno – Žabovřesky"*) pass "the CA's name arrived as UTF-8: $subject" ;;
  *) fail "the CA's name: $subject" ;;
esac

# Non-ASCII file and folder names: UTF-8 text becomes the same name on
# Windows (wine stores it as the same UTF-8 name on Linux), in a CA folder,
# an output folder, an export's file name and an error message.
win ca init --profile default --name "Smoke CA UTF-8 paths" --out "CA-Žabovřesky"
expect 0 "ca init --out CA-Žabovřesky"
win make --profile default --cn print.corp.local --ca "CA-Žabovřesky" --out "tiskárna-složka"
expect 0 "make --ca CA-Žabovřesky --out tiskárna-složka"
if [ -f "tiskárna-složka/server.crt" ] && [ -f "CA-Žabovřesky/ca.key" ]; then
  pass "the folders have their UTF-8 names: $(ls -d CA-Ž* tiskárna-* | tr '\n' ' ')"
else
  fail "non-ASCII folders: $(ls)"
fi
grep -q "tiskárna-složka" out.txt && pass "make prints the folder's name as UTF-8" ||
  fail "make printed: $(head -c 300 out.txt)"
openssl verify -CAfile "CA-Žabovřesky/ca.crt" "tiskárna-složka/server.crt" >verify.txt 2>&1 &&
  pass "Linux openssl verifies the chain in the non-ASCII folders" || fail "openssl verify: $(cat verify.txt)"
win export --in "tiskárna-složka/server.pfx" --in-password-file "tiskárna-složka/server.pfx.pass" \
  --format pem --out "tiskárna-složka/řetězec.pem"
expect 0 "export --out tiskárna-složka/řetězec.pem"
[ -f "tiskárna-složka/řetězec.pem" ] && pass "the export has its UTF-8 name" || fail "export: $(ls tiskárna-*)"
win verify --profile default "tiskárna-složka/chybí.pem"
expect 3 "verify of a missing non-ASCII file is exit 3"
grep -q "tiskárna-složka.chybí.pem" err.txt && pass "the error names the file in UTF-8: $(cat err.txt)" ||
  fail "error line: $(cat err.txt)"
win batch sites.toml --ca "CA-Žabovřesky" --out "pobočky-šířka" --json
expect 0 "batch --ca CA-Žabovřesky --out pobočky-šířka"
python3 -c 'import json,sys; d=json.load(open("out.txt")); sys.exit(0 if all(s["folder"].startswith("pobočky-šířka") for s in d["sites"]) else 1)' &&
  [ -n "$(ls pobočky-šířka)" ] && pass "batch: the site folders are in pobočky-šířka, and its JSON says so" ||
  fail "batch into a non-ASCII folder: $(head -c 300 out.txt)"
# CERTFORGE_PROFILE_PATH on Windows: ';' between folders, drive letters,
# non-ASCII names.
mkdir -p "vlastní profily" other-profiles
sed 's/^id = "default"/id = "moje-zařízení"/' "$source_dir/profiles/default.toml" >"vlastní profily/moje-zařízení.toml"
sed 's/^id = "default"/id = "second-folder"/' "$source_dir/profiles/default.toml" >other-profiles/second-folder.toml
to_windows() { echo "Z:$(realpath "$1" | tr / '\\')"; }
CERTFORGE_PROFILE_PATH="$(to_windows "vlastní profily");$(to_windows other-profiles)" win profiles list
expect 0 "profiles list with CERTFORGE_PROFILE_PATH=Z:\\...;Z:\\..."
grep -q "^moje-zařízení" out.txt && grep -q "^second-folder" out.txt &&
  pass "both folders of a ';' list are searched, one with a non-ASCII name" ||
  fail "profiles list: $(grep -v '^  ' out.txt | head -c 400)"

echo "not a certificate" >junk.pem
win verify --profile default junk.pem
expect 3 "bad input: verify of a file that is no certificate is exit 3"
[ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^certforge: error: ' err.txt &&
  pass "bad input: one error line" || fail "bad input: stderr: $(cat err.txt)"
win make --profile default --cn x --out made-openssl-default/server.crt
expect 3 "bad input: make --out a file is exit 3"

# Private files. On Windows: a protected access list for the user,
# Administrators and SYSTEM. Wine does not enforce access lists among
# Windows users; what it shows is the Unix mode it derives from the list a
# file was created with: nothing for others on the private files and
# folders, read for others on the public ones (whose list is inherited).
others_of() { echo $(($(stat -c %a "$1") % 10)); }
for private in made-openssl-default/server.key made-openssl-default/server.pfx \
               made-openssl-default/server.pfx.pass ca-openssl-default/ca.key made-openssl-default; do
  if [ "$(others_of "$private")" -eq 0 ]; then
    pass "private: $private gives others nothing (mode $(stat -c %a "$private") under wine)"
  else
    fail "private: $private is mode $(stat -c %a "$private") under wine"
  fi
done
for public in made-openssl-default/server.crt ca-openssl-default/ca.crt; do
  if [ "$(others_of "$public")" -ge 4 ]; then
    pass "public: $public is readable by others (mode $(stat -c %a "$public") under wine)"
  else
    fail "public: $public is mode $(stat -c %a "$public") under wine"
  fi
done
echo "note console: wine runs certforge.exe without a Windows console here, so the no-echo password prompt (SetConsoleMode) and Ctrl-C (SetConsoleCtrlHandler) are not exercised"

echo "$checks checks, $failures failed, $((SECONDS - started)) s"
[ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]
