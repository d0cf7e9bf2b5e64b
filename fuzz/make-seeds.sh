#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes the seed corpora in fuzz/corpus/NAME/: small certificates, requests
# and containers made with the openssl command line and keytool (EC P-256,
# RSA 1024 and one RSA 2048 request, new keys each run), the shipped
# profiles, the example sites files and a few hand-written inputs. Files
# with other names in corpus/ (seeds added by hand, or by the fuzzer's
# -merge) are kept. Usage: fuzz/make-seeds.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
corpus=$here/corpus
for tool in openssl keytool; do
  command -v "$tool" >/dev/null || { echo "make-seeds.sh needs $tool" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$corpus"/{certificate,pkcs12,jks,pkcs7,csr,profile,sites_toml,sites_csv,probe_report}

# The PKCS#12 password is pkcs12_fuzz.cpp's, the JKS one jks_fuzz.cpp's.
p12pass=fuzz
jkspass=fuzzing

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1" 2>/dev/null; }

cat >ca.cnf <<'EOF'
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
cat >leaf.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:print.example.com, DNS:print, IP:10.0.0.5, IP:fd00::5
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

ec_key ca.key
openssl req -x509 -new -key ca.key -subj "/CN=Fuzz Root CA/O=Example" -days 3650 -sha256 \
  -extensions v3_ca -config ca.cnf -out ca.pem
sign_leaf() { # KEY SUBJECT HASH OUT
  openssl req -new -key "$1" -subj "$2" -out "$4.csr" 2>/dev/null
  openssl x509 -req -in "$4.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 397 "-$3" \
    -extfile leaf.ext -out "$4" 2>/dev/null
}
ec_key leaf.key
sign_leaf leaf.key "/CN=print.example.com/O=Example/C=CZ" sha256 leaf-ec.pem
rsa_key leaf1024.key 1024
sign_leaf leaf1024.key "/CN=print.example.com" sha1 leaf-rsa1024-sha1.pem
openssl req -x509 -new -key leaf1024.key -subj "/CN=old-mfd.example.com" -days 825 -sha1 \
  -out selfsigned-rsa1024-sha1.pem
openssl req -x509 -new -key leaf.key -utf8 -subj "/CN=tiskárna.example.cz/O=Příklad s.r.o./C=CZ" \
  -days 30 -addext "subjectAltName=DNS:xn--tiskrna-bya.example.cz" -out utf8-subject.pem

c=$corpus/certificate
cp leaf-ec.pem "$c/leaf-ec.pem"
openssl x509 -in leaf-ec.pem -outform DER -out "$c/leaf-ec.der"
cat leaf-ec.pem ca.pem >"$c/chain-ec.pem"
cat leaf-rsa1024-sha1.pem ca.pem | sed 's/$/\r/' >"$c/chain-rsa1024-crlf.pem"
openssl x509 -in selfsigned-rsa1024-sha1.pem -outform DER -out "$c/selfsigned-rsa1024-sha1.der"
cp utf8-subject.pem "$c/utf8-subject.pem"
openssl x509 -in ca.pem -outform DER -out "$c/ca-ec.der"
cat leaf.key leaf-ec.pem >"$c/key-then-certificate.pem"

p=$corpus/pkcs12
cat ca.pem >chain.pem
export_p12() { # OUT PASSWORD OPTIONS...
  local out=$1 pass=$2
  shift 2
  openssl pkcs12 -export -inkey leaf.key -in leaf-ec.pem -certfile chain.pem -name certforge \
    -passout "pass:$pass" "$@" -out "$p/$out"
}
export_p12 aes-sha256mac.p12 "$p12pass" -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -iter 1
export_p12 aes-default-iterations.p12 "$p12pass" -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256
export_p12 3des-sha1mac.p12 "$p12pass" -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -iter 1
export_p12 rc2-legacy.p12 "$p12pass" -legacy -iter 1
export_p12 aes-nomac.p12 "$p12pass" -keypbe AES-256-CBC -certpbe AES-256-CBC -iter 1 -nomac
export_p12 unencrypted.p12 "$p12pass" -keypbe NONE -certpbe NONE -iter 1
export_p12 empty-password-3des.p12 "" -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -iter 1
openssl pkcs12 -export -nokeys -in leaf-ec.pem -passout "pass:$p12pass" -iter 1 -out "$p/certificates-only.p12"
openssl pkcs12 -export -inkey leaf1024.key -in selfsigned-rsa1024-sha1.pem -passout "pass:$p12pass" \
  -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -iter 1 -out "$p/rsa1024-3des.p12"

j=$corpus/jks
rm -f "$j/key-and-chain.jks" "$j/trusted-only.jks" "$j/key-and-trusted.jks"
keytool -importkeystore -noprompt -srckeystore "$p/3des-sha1mac.p12" -srcstoretype pkcs12 \
  -srcstorepass "$p12pass" -destkeystore "$j/key-and-chain.jks" -deststoretype jks \
  -deststorepass "$jkspass" -destkeypass "$jkspass" >/dev/null 2>&1
keytool -importcert -noprompt -alias root -file ca.pem -keystore "$j/trusted-only.jks" \
  -storetype jks -storepass "$jkspass" >/dev/null 2>&1
cp "$j/key-and-chain.jks" "$j/key-and-trusted.jks"
keytool -importcert -noprompt -alias other -file selfsigned-rsa1024-sha1.pem \
  -keystore "$j/key-and-trusted.jks" -storetype jks -storepass "$jkspass" >/dev/null 2>&1

s=$corpus/pkcs7
openssl crl2pkcs7 -nocrl -certfile "$c/chain-ec.pem" -out "$s/chain-ec.p7b"
openssl crl2pkcs7 -nocrl -certfile "$c/chain-ec.pem" -outform DER -out "$s/chain-ec.der.p7b"
openssl crl2pkcs7 -nocrl -certfile selfsigned-rsa1024-sha1.pem -outform DER -out "$s/one-rsa1024.der.p7b"

r=$corpus/csr
rsa_key leaf2048.key 2048
csr() { # KEY SUBJECT OUT OPTIONS...
  local key=$1 subject=$2 out=$3
  shift 3
  openssl req -new -key "$key" -subj "$subject" -out "$r/$out" "$@"
}
csr leaf2048.key "/CN=print.example.com/O=Example/C=CZ" rsa2048-sans.pem -sha256 \
  -addext "subjectAltName=DNS:print.example.com,DNS:print,IP:10.0.0.5"
openssl req -in "$r/rsa2048-sans.pem" -outform DER -out "$r/rsa2048-sans.der"
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' "$r/rsa2048-sans.pem" >"$r/rsa2048-new-label.pem"
csr leaf2048.key "/CN=print.example.com" rsa2048-no-san.pem -sha256
csr leaf.key "/CN=print.example.com/OU=Print/L=Brno/ST=South Moravia" ec-p256.pem -sha256 \
  -addext "subjectAltName=IP:fd00::5"
csr leaf1024.key "/CN=old-mfd.example.com" rsa1024-sha1.pem -sha1
csr leaf2048.key "/CN=print.example.com/emailAddress=admin@example.com" rsa2048-email.der \
  -outform DER -sha256

cp "$root"/profiles/*.toml "$root"/profiles/hosts/*.toml "$corpus/profile/"
cat >"$corpus/profile/hand-extends-default.toml" <<'EOF'
id = "hand-extends-default"
name = "A profile that narrows the default one"
extends = "default"
vendor = "Example"
legacy = true

[key]
rsa_bits = [1024, 2048]

[signature]
hashes = ["sha1", "sha256"]

[validity]
default_days = 397
max_days = 398
EOF

cp "$root/examples/sites.toml" "$corpus/sites_toml/example.toml"
cat >"$corpus/sites_toml/hand-every-key.toml" <<'EOF'
[defaults]
profile = "hp-jetdirect"
server_os = "windows-server-2012r2"
pkcs12 = "3des"
formats = ["pfx", "bundle", "jks", "p7b", "der"]
password_env = "SITE_PASSWORD"
organization = "Example"
organizational_unit = "Print"
locality = "Brno"
state = "South Moravia"
country = "CZ"
days = 365

[[site]]
id = "brno_1.a"
cn = "10.20.0.15"
sans = ["ip:10.20.0.15", "dns:print-brno"]
devices = ["mfd-1.corp.local=ip:10.20.0.21,dns:mfd-1", "mfd-2.corp.local"]

[[site]]
id = "praha"
cn = "print-praha.example.com"
profiles = ["canon-imagerunner", "hp-jetdirect"]
password_file = "secrets/praha.pass"
pkcs12 = "aes"
EOF
cp "$root/examples/sites.csv" "$corpus/sites_csv/example.csv"
cat >"$corpus/sites_csv/hand-quoted.csv" <<'EOF'
# a comment line, then a blank one

cn,id,sans,profile,devices,days,pkcs12,password_file
"print-brno.example.com",brno,"dns:print-brno
ip:10.20.0.15",hp-jetdirect,"mfd-1.corp=ip:10.20.0.21;mfd-2.corp",365,rc2,brno.pass
"print, ""quoted""",bad id,ip:999.1.1.1,no-such-profile,,x,des,
EOF

q=$corpus/probe_report
cat >"$q/full-report.json" <<'EOF'
{
  "target": {"host": "10.20.0.21", "port": 443, "sni": ""},
  "versions": [
    {"version": "tls1.0", "testable": true, "supported": true, "failure": "",
     "ciphers": [{"name": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "openssl": "DHE-RSA-AES256-SHA",
                  "kx": "DHE", "dh_bits": 512, "curve": ""}]},
    {"version": "tls1.2", "testable": true, "supported": false, "failure": "alert handshake_failure",
     "ciphers": []}
  ],
  "certificates": [{"subject": "CN=mfd-1", "issuer": "CN=mfd-1", "signature_hash": "sha1",
                    "key": "rsa 1024", "not_before": "2015-01-01T00:00:00Z",
                    "not_after": "2035-01-01T00:00:00Z"}],
  "diagnosis": [{"host": "windows-server-2019", "os": "Windows Server 2019",
                 "cases": [{"case": "tls10-disabled", "evidence": "only TLS 1.0", "fix": "enable TLS 1.0",
                            "risk": "TLS 1.0 is weak"}]}],
  "schannel_fix": {"enable": ["tls1.0"], "disable": [], "side": "client", "dh_min_bits": 512,
                   "disable_dh": false}
}
EOF
cat >"$q/no-fix.json" <<'EOF'
{"diagnosis": [{"host": "windows-server-2022", "os": "Windows Server 2022", "cases": []}]}
EOF
cat >"$q/every-field.json" <<'EOF'
{"schannel_fix": {"enable": ["tls1.1", "tls1.2"], "disable": ["ssl3", "tls1.0"], "side": "both",
 "dh_min_bits": null, "disable_dh": true, "dotnet_strong_crypto": true}}
EOF
cat >"$q/server-side.json" <<'EOF'
{"schannel_fix": {"enable": ["tls1.3"], "side": "server", "dh_min_bits": 2048}}
EOF
du -sh "$corpus"
