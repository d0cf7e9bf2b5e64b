#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The Windows build's smoke suite, run under wine64 (Debian's wine64), with
# Linux tools reading back what certforge.exe wrote:
#   version on both backends; profiles list; ca init + make for default and
#   konica-legacy on both backends (the chain checked by Linux openssl and by
#   the Linux certforge); verify exit codes 0 and 1; export pfx-3des and jks
#   (read by openssl and keytool); bundle; schannel (the .reg bytes equal the
#   Linux build's); batch on examples/sites.toml; probe of a loopback
#   openssl s_server (the same findings as the Linux build); a bad input
#   (exit 3); private files' access lists as far as wine shows them.
# usage: wine_smoke_test.sh CERTFORGE_EXE LINUX_CERTFORGE SOURCE_DIR
set -euo pipefail
exe=$(realpath "$1")
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

# A device on loopback: TLS 1.0 only with the legacy certificate.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=

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
python3 -c 'import json,sys; d=json.load(open("out.txt")); sys.exit(0 if all(s.get("action")=="unchanged" for s in d["sites"]) else 1)' &&
  pass "batch again: every site unchanged" || fail "batch again: $(head -c 300 out.txt)"

echo "not a certificate" >junk.pem
win verify --profile default junk.pem
expect 3 "bad input: verify of a file that is no certificate is exit 3"
[ "$(wc -l <err.txt)" -eq 1 ] && grep -q '^certforge: error: ' err.txt &&
  pass "bad input: one error line" || fail "bad input: stderr: $(cat err.txt)"
win make --profile default --cn x --out made-openssl-default/server.crt
expect 3 "bad input: make --out a file is exit 3"

# Private files. Windows: a protected access list for the user,
# Administrators and SYSTEM. Wine keeps the security descriptor certforge.exe
# set in the file's user.wine.sd extended attribute (where the file system
# takes user xattrs), and maps it to Unix permissions, without enforcing it
# among Windows users as Windows would.
key=made-openssl-default/server.key
if python3 -c 'import os,sys; os.getxattr(sys.argv[1], "user.wine.sd")' "$key" 2>/dev/null; then
  if python3 - "$key" <<'EOF'
import os, sys
sd = os.getxattr(sys.argv[1], "user.wine.sd")
# A self-relative SECURITY_DESCRIPTOR follows a version byte: control flags
# at offset 2 must have SE_DACL_PROTECTED (0x1000) and SE_DACL_PRESENT (0x4).
control = int.from_bytes(sd[3:5], "little")
sys.exit(0 if control & 0x1000 and control & 0x4 else 1)
EOF
  then pass "server.key: wine stored a protected access list (user.wine.sd)"
  else fail "server.key: user.wine.sd has no protected DACL"
  fi
else
  echo "note server.key: this file system keeps no user xattrs, so wine cannot show the access list"
fi
mode=$(stat -c %a "$key")
case $mode in
  600 | 400 | 700) pass "server.key: Unix mode $mode under wine (no access for others)" ;;
  *) fail "server.key: Unix mode $mode under wine" ;;
esac
echo "note console: wine runs certforge.exe without a Windows console here, so the no-echo password prompt (SetConsoleMode) and Ctrl-C (SetConsoleCtrlHandler) are not exercised"

echo "$checks checks, $failures failed, $((SECONDS - started)) s"
[ "$checks" -gt 0 ] && [ "$failures" -eq 0 ]
