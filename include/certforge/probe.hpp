// SPDX-License-Identifier: Apache-2.0
// Probing a device's TLS endpoint: which versions it completes a handshake
// with, which cipher suites it accepts per version and in which order, the
// key exchange group sizes, the alerts of failed handshakes, and its
// certificate chain. The prober is OpenSSL's client at security level 0 in
// a library context of its own, so that it can talk to the weakest devices
// without touching the process-wide defaults. Every connection and the
// whole probe end at a deadline, whatever the device sends.
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
    // Deadline of each connection, from the TCP connect to the end of the
    // handshake (not an idle timeout: a device that trickles bytes is cut).
    double timeout_seconds = 5.0;
    // Deadline of the whole probe, which makes one connection per accepted
    // cipher suite and version.
    double max_seconds = 120.0;
};

// What the first bytes a server sent look like.
enum class ReplyKind {
    nothing, // not a byte before the connection ended or the deadline
    tls,     // the start of a TLS record (handshake, alert, ...)
    http,    // "HTTP/..."
    other,   // anything else
};

// The first bytes a server sent in answer to a ClientHello, classified.
struct ServerReply {
    ReplyKind kind = ReplyKind::nothing;
    // Printable ASCII only: the first line as text when it is printable
    // ("HTTP/1.1 400 Bad Request"; cut at 40 characters, then "..."), else
    // the first 16 bytes in hex ("8f 1b 5b ..."). Empty for nothing.
    std::string excerpt;
    bool text = false; // the excerpt is text, not hex
};

// How many of the server's first bytes the prober keeps for classify_reply.
inline constexpr std::size_t kReplyCapture = 256;

// Classifies the first bytes a server sent; looks at most at the first
// kReplyCapture. Defined for any bytes; never throws but std::bad_alloc.
ServerReply classify_reply(ByteView first_bytes);

// "it answered \"HTTP/1.1 400 Bad Request\"", "it answered bytes that are
// not TLS: 8f 1b ...", "it closed each connection without answering": one
// line of printable ASCII, for "HOST:PORT does not speak TLS: ...".
std::string describe(const ServerReply& reply);

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
    // False when no connection saw a TLS record: then `answer` says what
    // came instead, and `versions` is empty.
    bool speaks_tls = true;
    ServerReply answer;
    std::vector<VersionResult> versions; // SSL 3.0 .. TLS 1.3
    std::vector<Bytes> chain;            // the device's certificates, leaf first
};

class TlsProber {
public:
    virtual ~TlsProber() = default;
    // Throws InputError when the host cannot be reached at all (refused,
    // unreachable, unknown name), when its first handshake does not end
    // within the timeout (no answer, or a TLS answer that stalls), and when
    // the whole probe does not end within target.max_seconds. Returns
    // within target.max_seconds whatever the peer sends (name resolution
    // aside, which the system resolver bounds). A peer that answers, but
    // not with TLS, gives a report with speaks_tls false. Several threads
    // may probe at once with one prober.
    virtual ProbeReport probe(const ProbeTarget& target) const = 0;
};

// Throws UsageError when this build has no OpenSSL backend.
std::unique_ptr<TlsProber> make_tls_prober();

} // namespace certforge
