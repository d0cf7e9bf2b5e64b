// SPDX-License-Identifier: Apache-2.0
// SCEP's message layer (RFC 8894 §3): a PKIOperation body read into a
// ScepRequest, and the CertRep that answers it. Built on OpenSSL's PKCS#7;
// a build without OpenSSL has no SCEP (make_scep_codec throws UsageError).
// Content encryption is 3DES or AES-128/192/256-CBC and digests SHA-1 or
// SHA-2, as the client chose; single DES and MD5 are refused (badAlg).
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"
#include "certforge/bytes.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

// messageType values (RFC 8894 §3.2.1.2).
enum class ScepMessageType {
    cert_rep = 3,
    renewal_req = 17,
    pkcs_req = 19,
    cert_poll = 20, // GetCertInitial
    get_cert = 21,
    get_crl = 22,
};
std::string_view to_string(ScepMessageType type);

// pkiStatus values (§3.2.1.3).
enum class ScepStatus { success = 0, failure = 2, pending = 3 };
std::string_view to_string(ScepStatus status);

// failInfo values (§3.2.1.4).
enum class ScepFailInfo {
    bad_alg = 0,
    bad_message_check = 1,
    bad_request = 2,
    bad_time = 3,
    bad_cert_id = 4,
};
std::string_view to_string(ScepFailInfo info);

// The envelope's content encryption.
enum class ScepCipher { des3_cbc, aes128_cbc, aes192_cbc, aes256_cbc };
std::string_view to_string(ScepCipher cipher);

// Largest PKIOperation message read: bigger bodies are refused before any
// parsing.
inline constexpr std::size_t kMaxScepMessageBytes = 64 * 1024;

// A PKIOperation as received. When the message could be read far enough to
// answer (its signature checks and it carries a transactionID and a
// senderNonce) but cannot be served, `failure` says why and the answer is
// a FAILURE CertRep with that failInfo.
struct ScepRequest {
    ScepMessageType type = ScepMessageType::pkcs_req;
    std::string transaction_id;       // printable, at most 128 characters
    Bytes sender_nonce;               // 16 bytes
    Bytes signer_certificate;         // DER: self-signed, or the current certificate on renewal
    bool signer_issued_by_ca = false; // the CA's name and signature are on it
    // The codec's own parsed form of the signer certificate, which
    // encode_reply uses instead of parsing it again; opaque to others.
    std::shared_ptr<const void> signer_handle;
    HashAlgorithm digest = HashAlgorithm::sha256;
    ScepCipher cipher = ScepCipher::aes128_cbc;
    Bytes csr;              // PKCSReq, RenewalReq: the PKCS#10 request, DER
    SecureString challenge; // the CSR's challengePassword, if any
    Bytes issuer_name;      // CertPoll: IssuerAndSubject, DER names
    Bytes subject_name;
    std::optional<ScepFailInfo> failure;
    std::string failure_detail; // for the log, never shown to the client
};

// What the CertRep says.
struct ScepReply {
    ScepStatus status = ScepStatus::success;
    ScepFailInfo fail_info = ScepFailInfo::bad_request; // with status failure
    std::vector<Bytes> certificates;                    // with success: issued first
};

class ScepCodec {
public:
    virtual ~ScepCodec() = default;

    // Reads a PKIOperation body. Throws InputError, one line, when it is
    // not a SCEP message at all: not PKCS#7 signedData, no signer, no
    // messageType, transactionID or senderNonce, a bad signature. Anything
    // after that (an envelope it cannot open, a cipher or digest it refuses,
    // an unknown message type, a CSR it cannot read) comes back as
    // request.failure. Never reads past kMaxScepMessageBytes.
    virtual ScepRequest decode(ByteView body) const = 0;

    // The CertRep for `request`: signed by the RA with the request's digest;
    // for success the certificates, as a degenerate PKCS#7, enveloped for the
    // request's signer certificate with the request's cipher; otherwise an
    // empty eContent (not an absent one, which OpenSSL's clients take for a
    // detached signature).
    virtual Bytes encode_reply(const ScepRequest& request, const ScepReply& reply) const = 0;

    // GetCACert's answer: a degenerate PKCS#7 holding the RA and the CA
    // certificate, in that order.
    virtual Bytes ca_certificates() const = 0;
};

// A codec for the RA's certificate and key and the CA's certificate (all
// DER). Throws UsageError in a build without OpenSSL.
std::unique_ptr<ScepCodec> make_scep_codec(ByteView ra_certificate, const PrivateKey& ra_key,
                                           ByteView ca_certificate);

} // namespace certforge
