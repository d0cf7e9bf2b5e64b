// SPDX-License-Identifier: Apache-2.0
// The device personalities the probe tests' peers play, on loopback only:
// TLS with chosen versions, suites, DH group and certificate (OpenSSL 3
// refuses DH groups under 1024 bits even at security level 0, so the
// context gets a permissive security callback to serve a 512-bit group),
// optionally answering a TLS 1.2 ClientHello with a bad_record_mac alert
// (a device that claims TLS 1.2 but breaks on it), and endpoints that are
// not what the probe hopes for:
//   stall    a TLS record header (a 16 KB handshake record), then one byte
//            every 0.5 s for as long as the client stays;
//   silent   accepts and never answers, until the client goes;
//   http     a web server's "HTTP/1.1 400 Bad Request" answer;
//   garbage  64 bytes that are not TLS, starting with 8f 1b 5b 32 4a 07 00
//            ff 0d 0a 41 42 e2 80 ae 7f (control characters, an ANSI escape,
//            a Unicode right-to-left override);
//   close    accepts each connection and closes it at once.
#pragma once

#include <memory>
#include <openssl/ssl.h>
#include <string>

namespace certforge::test {

struct Personality {
    std::string mode = "tls"; // tls, stall, silent, http, garbage, close
    std::string cert, key, dhparam;
    std::string min = "tls1", max = "tls1.3"; // tls1, tls1.1, tls1.2, tls1.3
    std::string cipher;                       // OpenSSL's list for TLS 1.2 and older
    bool bad_record_mac_on_tls12 = false;
    long handshake_delay_ms = 0; // waited before each TLS handshake (slow firmware)
};

using ServerContext = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

// The TLS context for `p`; null (with OpenSSL's errors on stderr) when its
// files or cipher list do not load. Only the tls mode needs cert and key.
ServerContext make_server_context(const Personality& p);

bool known_mode(const std::string& mode);

// Serves one accepted connection as `p` (with `ctx` from
// make_server_context) and closes `fd`.
void serve_connection(int fd, const Personality& p, SSL_CTX* ctx);

} // namespace certforge::test
