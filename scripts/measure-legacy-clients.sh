#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What modern client software does with a legacy (SHA-1, RSA 1024)
# certificate: the measurement behind README.md, "Legacy certificates and
# modern clients". A measurement, not a test: it prints what it sees and
# exits 0 whatever the clients say.
#
# It makes a konica-legacy CA and server certificate with certforge in a
# temporary folder, serves them with `openssl s_server` on free 127.0.0.1
# ports, runs each installed client against them and prints one line per
# client and server. Servers (all on 127.0.0.1 only, stopped on exit):
#   tls1.2+         TLS 1.2 and 1.3, OpenSSL's default suites: only the
#                   certificate is old
#   tls1.0          TLS 1.0 only, TLS_RSA_WITH_AES_128_CBC_SHA: an old device
#                   as the konica-legacy profile describes it
#   tls1.2-rsa-kx   TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA only (Java only)
#   tls1.2-sha1-sig TLS 1.2, ECDHE-RSA with SHA-1 handshake signatures only
#                   (Java only)
# The last two run only the Java clients, the one client here that accepts
# the certificate: they show which of Java's handshake rules an old device
# meets.
#
# usage: scripts/measure-legacy-clients.sh
# environment:
#   CERTFORGE  the certforge binary (default: build/default/src/certforge)
#   JAVAS      java launchers to measure, space-separated (default: java);
#              each needs a JDK (the client is a single-file source program)
#   PYTHON     Python with the system OpenSSL (default: /usr/bin/python3)
set -uo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
certforge=${CERTFORGE:-$source_dir/build/default/src/certforge}
python=${PYTHON:-/usr/bin/python3}
javas=${JAVAS:-java}
[ -x "$certforge" ] || { echo "measure-legacy-clients.sh: no certforge at $certforge (set CERTFORGE)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "measure-legacy-clients.sh: needs openssl" >&2; exit 2; }
command -v "$python" >/dev/null || { echo "measure-legacy-clients.sh: needs $python" >&2; exit 2; }

work=$(mktemp -d /tmp/certforge-legacy-clients.XXXXXX)
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# line TOOL SERVER RESULT: one result line.
line() { printf '%-36s %-20s %s\n' "$1" "$2" "$3"; }
# first_line: the first non-empty line of stdin, whitespace squeezed.
first_line() { grep -v '^[[:space:]]*$' | head -1 | tr -s ' \t' ' ' | sed 's/ $//'; }

# --- certificates -----------------------------------------------------------
export CERTFORGE_PROFILE_PATH=
if ! "$certforge" ca init --profile konica-legacy --name "Legacy Test CA" --out "$work/ca" \
        >"$work/ca.log" 2>&1 ||
   ! "$certforge" make --profile konica-legacy --cn localhost --san ip:127.0.0.1 \
        --ca "$work/ca" --out "$work/srv" >"$work/make.log" 2>&1; then
    echo "measure-legacy-clients.sh: certforge could not make the certificates:" >&2
    cat "$work/ca.log" "$work/make.log" 2>/dev/null >&2
    exit 3
fi
ca=$work/ca/ca.crt
crt=$work/srv/server.crt
key=$work/srv/server.key

# --- servers ----------------------------------------------------------------
free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
declare -A port
# serve NAME S_SERVER_OPTIONS...: an s_server on a free loopback port.
serve() {
    local name=$1 p
    shift
    p=$(free_port)
    openssl s_server -accept "127.0.0.1:$p" -cert "$crt" -key "$key" -cert_chain "$ca" \
        -www -naccept 1000 "$@" </dev/null >"$work/server-$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port[$name]=$p; return 0; fi
        sleep 0.1
    done
    echo "measure-legacy-clients.sh: s_server '$name' did not start:" >&2
    cat "$work/server-$name.log" >&2
    exit 3
}
serve tls1.2+ -no_tls1 -no_tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
serve tls1.0 -tls1 -cipher 'AES128-SHA:@SECLEVEL=0'
serve tls1.2-rsa-kx -tls1_2 -cipher 'AES128-SHA:@SECLEVEL=0'
serve tls1.2-sha1-sig -tls1_2 -cipher 'ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -sigalgs RSA+SHA1

# shellcheck disable=SC1091
echo "# measured $(date -u +%Y-%m-%d) on $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "# certificate: $("$certforge" version | head -1), profile konica-legacy:" \
     "$(openssl x509 -in "$crt" -noout -text | grep -m1 'Signature Algorithm' | sed 's/.*: //'), RSA 1024"
line "# tool" "server" "result"

# --- openssl verify (no server) --------------------------------------------
ossl="openssl $(openssl version | cut -d' ' -f2)"
for level in "" "-auth_level 1" "-auth_level 2"; do
    # shellcheck disable=SC2086
    if out=$(openssl verify $level -CAfile "$ca" "$crt" 2>&1); then result="accepted: $(echo "$out" | first_line | sed 's/.*: //')"
    else result="refused: $(echo "$out" | grep -m1 '^error [0-9]' | sed 's/^error [0-9]* at [0-9]* depth lookup: //')"; fi
    line "$ossl" "verify ${level:-(default)}" "$result"
done

# Each OpenSSL or GnuTLS client runs twice against each server: as it comes,
# and with the override an admin would use for a one-off test (OpenSSL
# security level 0, GnuTLS --verify-allow-broken; Node also TLS 1.0).
seclevel0='DEFAULT:@SECLEVEL=0'

# --- openssl s_client -------------------------------------------------------
s_client() {  # s_client NAME [OPTIONS...]
    local name=$1 out
    shift
    if out=$(echo | timeout 20 openssl s_client -connect "127.0.0.1:${port[$name]}" \
                 -servername localhost -CAfile "$ca" -verify_return_error "$@" 2>&1); then
        # "Protocol :" is in the session block (not printed for TLS 1.3 here);
        # the "New, ..." line names the cipher's version (SSLv3 for TLS 1.0 suites).
        local proto
        proto=$(echo "$out" | grep -m1 '^ *Protocol *:' | sed 's/.*: *//')
        echo "accepted (${proto:-$(echo "$out" | grep -m1 '^New, ' | cut -d, -f2 | tr -d ' ')})"
    else
        echo "refused: $(echo "$out" | grep -m1 'Verification error\|alert\|error:' | sed 's/^Verification error: //')"
    fi
}
for name in tls1.2+ tls1.0; do
    line "$ossl s_client" "$name" "$(s_client "$name")"
    line "  -cipher $seclevel0" "$name" "$(s_client "$name" -cipher "$seclevel0")"
done

# --- curl -------------------------------------------------------------------
curl_run() {  # curl_run NAME [OPTIONS...]
    local name=$1 out
    shift
    if out=$(timeout 20 curl -sS -o /dev/null -w 'HTTP %{http_code}' --cacert "$ca" "$@" \
                 --resolve "localhost:${port[$name]}:127.0.0.1" "https://localhost:${port[$name]}/" 2>&1); then
        echo "accepted ($out)"
    else
        echo "refused: $(echo "$out" | first_line)"
    fi
}
if command -v curl >/dev/null; then
    curl_v="curl $(curl --version | head -1 | cut -d' ' -f2)"
    for name in tls1.2+ tls1.0; do
        line "$curl_v" "$name" "$(curl_run "$name")"
        line "  --ciphers $seclevel0" "$name" "$(curl_run "$name" --ciphers "$seclevel0")"
    done
else
    line "curl" "-" "not installed"
fi

# --- Python ssl -------------------------------------------------------------
cat >"$work/client.py" <<'PYTHON'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
if len(sys.argv) > 3:
    ctx.set_ciphers(sys.argv[3])
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            print(f"accepted ({tls.version()} {tls.cipher()[0]})")
except Exception as e:
    print(f"refused: {type(e).__name__}: {e}")
PYTHON
py_v="python $("$python" -c 'import platform; print(platform.python_version())')"
for name in tls1.2+ tls1.0; do
    line "$py_v" "$name" "$(timeout 20 "$python" "$work/client.py" "${port[$name]}" "$ca" 2>&1 | first_line)"
    line "  set_ciphers($seclevel0)" "$name" \
         "$(timeout 20 "$python" "$work/client.py" "${port[$name]}" "$ca" "$seclevel0" 2>&1 | first_line)"
done

# --- Node.js tls.connect ----------------------------------------------------
if command -v node >/dev/null; then
    cat >"$work/client.js" <<'NODE'
const tls = require('tls'), fs = require('fs');
const options = {host: '127.0.0.1', port: +process.argv[2], servername: 'localhost',
                 ca: fs.readFileSync(process.argv[3])};
if (process.argv[4]) options.ciphers = process.argv[4];
const s = tls.connect(options, () => {
    console.log(`accepted (${s.getProtocol()} ${s.getCipher().name})`); s.end(); });
s.setTimeout(10000, () => { console.log('refused: timeout'); s.destroy(); });
s.on('error', e => console.log(`refused: ${e.code}: ${e.message.split('\n')[0]}`));
NODE
    node_v="node $(node -v | tr -d v)/openssl $(node -p process.versions.openssl)"
    for name in tls1.2+ tls1.0; do
        line "$node_v" "$name" "$(timeout 20 node "$work/client.js" "${port[$name]}" "$ca" 2>&1 | first_line)"
        line "  --tls-min-v1.0, ciphers" "$name" \
             "$(timeout 20 node --tls-min-v1.0 "$work/client.js" "${port[$name]}" "$ca" "$seclevel0" 2>&1 | first_line)"
    done
else
    line "node" "-" "not installed"
fi

# --- GnuTLS -----------------------------------------------------------------
gnutls_run() {  # gnutls_run NAME [OPTIONS...]
    local name=$1 out
    shift
    out=$(timeout 20 gnutls-cli --x509cafile "$ca" "$@" -p "${port[$name]}" 127.0.0.1 </dev/null 2>&1)
    if echo "$out" | grep -q 'Handshake was completed'; then
        echo "accepted ($(echo "$out" | grep -m1 'Description:' | sed 's/.*Description: //'))"
    else
        local status
        status=$(echo "$out" | grep -m1 'Status:' | sed 's/.*Status: //;s/ *$//')
        echo "refused: ${status:-$(echo "$out" | grep -m1 'Fatal error\|Error' | first_line)}"
    fi
}
if command -v gnutls-cli >/dev/null; then
    gnutls_v="gnutls-cli $(gnutls-cli --version 2>&1 | head -1 | awk '{print $NF}')"
    for name in tls1.2+ tls1.0; do
        line "$gnutls_v" "$name" "$(gnutls_run "$name")"
        line "  --verify-allow-broken" "$name" "$(gnutls_run "$name" --verify-allow-broken)"
    done
else
    line "gnutls-cli" "-" "not installed"
fi

# --- Java -------------------------------------------------------------------
cat >"$work/LegacyClient.java" <<'JAVA'
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.*;

public class LegacyClient {
    public static void main(String[] args) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = new FileInputStream(args[1])) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Integer.parseInt(args[0]))) {
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("localhost")));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(10000);
            s.startHandshake();
            System.out.println("accepted (" + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite() + ")");
        } catch (Exception e) {
            StringBuilder b = new StringBuilder("refused: " + e.getClass().getName() + ": " + e.getMessage());
            for (Throwable c = e.getCause(); c != null; c = c.getCause())
                b.append(" <- ").append(c.getClass().getName()).append(": ").append(c.getMessage());
            System.out.println(b);
        }
    }
}
JAVA
for java in $javas; do
    if ! command -v "$java" >/dev/null; then line "$java" "-" "not installed"; continue; fi
    java_v="java $("$java" -version 2>&1 | head -1 | cut -d'"' -f2)"
    for name in tls1.2+ tls1.0 tls1.2-rsa-kx tls1.2-sha1-sig; do
        line "$java_v" "$name" "$(timeout 60 "$java" "$work/LegacyClient.java" "${port[$name]}" "$ca" 2>&1 | first_line)"
    done
    # keytool's view of the same files (the PFX make wrote, 3DES).
    keytool=$(dirname "$(readlink -f "$(command -v "$java")")")/keytool
    if [ -x "$keytool" ]; then
        weak=$("$keytool" -printcert -file "$crt" 2>&1 | grep '(weak)' | sed 's/^[^:]*: //' | paste -sd ';' | sed 's/;/; /g')
        line "$java_v keytool" "-printcert" "${weak:-no (weak) mark}"
        out=$("$keytool" -list -v -keystore "$work/srv/server.pfx" -storetype PKCS12 \
                  -storepass:file "$work/srv/server.pfx.pass" 2>&1)
        line "$java_v keytool" "-list -v pfx" \
             "$(echo "$out" | grep -c '(weak)') '(weak)' marks; $(echo "$out" | grep -m1 'considered a security risk' | sed 's/^ *//')"
    fi
done

# --- certforge probe: what the device speaks, whatever its crypto ------------
out=$(timeout 60 "$certforge" probe "127.0.0.1:${port[tls1.0]}" --profile konica-legacy 2>/dev/null)
rc=$?
line "certforge probe" "tls1.0" \
     "exit $rc; $(echo "$out" | grep -m1 'TLS 1.0' | tr -s ' ' | sed 's/^ //;s/:$//'); $(echo "$out" | grep -m1 'certificate CN=localhost' | sed 's/^ *//')"
