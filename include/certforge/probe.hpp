// Probing a device's TLS endpoint: which versions it completes a handshake
// with, which cipher suites it accepts per version and in which order, the
// key exchange group sizes, the alerts of failed handshakes, and its
// certificate chain. The prober is OpenSSL's client at security level 0 in
// a library context of its own, so that it can talk to the weakest devices
// without touching the process-wide defaults.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/schannel.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct ProbeTarget {
    std::string host; // a name or an IPv4/IPv6 address; only this address is contacted
    std::uint16_t port = 443;
    std::string sni; // empty: none
    double timeout_seconds = 5.0;
};

struct AcceptedCipher {
    std::string name;     // IANA name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"
    std::string openssl;  // OpenSSL name: "DHE-RSA-AES128-SHA"
    std::string kx;       // "DHE", "ECDHE", "RSA", "TLS1.3"
    unsigned dh_bits = 0; // DHE: the server's group size
    std::string curve;    // ECDHE and TLS 1.3: "prime256v1", "X25519", ...
};

struct VersionResult {
    TlsVersion version = TlsVersion::tls1_2;
    bool testable = true; // false: this OpenSSL build cannot speak it
    bool supported = false;
    std::string failure; // why the handshake failed: "alert bad_record_mac", "timeout", ...
    std::vector<AcceptedCipher> ciphers; // in the order the server chose them
};

struct ProbeReport {
    ProbeTarget target;
    std::vector<VersionResult> versions; // SSL 3.0 .. TLS 1.3
    std::vector<Bytes> chain;            // the device's certificates, leaf first
};

class TlsProber {
public:
    virtual ~TlsProber() = default;
    // Throws InputError when the host cannot be reached at all (refused,
    // unreachable, no answer within the timeout, unknown name).
    virtual ProbeReport probe(const ProbeTarget& target) = 0;
};

// Throws UsageError when this build has no OpenSSL backend.
std::unique_ptr<TlsProber> make_tls_prober();

} // namespace certforge
