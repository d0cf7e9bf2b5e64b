// SPDX-License-Identifier: Apache-2.0
// Internal: the ASN.1 and OpenSSL pieces the SCEP codec is made of (its
// attributes' NIDs, reading and adding signed attributes, algorithm
// identifiers, the CSR's challengePassword, IssuerAndSubject, memory
// BIOs). Used only by openssl_scep_codec.cpp.
#pragma once

#include "backends/openssl/openssl_handles.hpp"
#include "certforge/algorithms.hpp"
#include "certforge/bytes.hpp"
#include "certforge/scep_message.hpp"

#include <openssl/bio.h>
#include <openssl/pkcs7.h>
#include <optional>
#include <string>
#include <string_view>

namespace certforge::openssl {

using BioPtr = Handle<BIO, BIO_free_all>;
inline void free_x509_stack_only(STACK_OF(X509) * stack) noexcept {
    sk_X509_free(stack);
}
// A stack that does not own its certificates.
using X509RefStackPtr = Handle<STACK_OF(X509), free_x509_stack_only>;

// The SCEP attributes' NIDs (RFC 8894 §3.2.1), registered once: OpenSSL has
// no names for them.
struct ScepNids {
    int message_type = 0;
    int pki_status = 0;
    int fail_info = 0;
    int sender_nonce = 0;
    int recipient_nonce = 0;
    int transaction_id = 0;
};
const ScepNids& scep_nids();

// What a memory BIO holds; a new memory BIO; one that reads `bytes`.
Bytes bio_bytes(BIO* bio);
BioPtr memory_bio();
BioPtr reading_bio(ByteView bytes);
// d2i_PKCS7, null when it is none.
Pkcs7Ptr decode_pkcs7(ByteView der);

// A signed attribute's value: a string (PrintableString, UTF8String,
// IA5String) or an OCTET STRING; nullopt when missing or of another type.
std::optional<std::string> string_attribute(PKCS7_SIGNER_INFO* signer, int nid);
std::optional<Bytes> octet_attribute(PKCS7_SIGNER_INFO* signer, int nid);
// Adds a PrintableString or an OCTET STRING signed attribute.
void add_string_attribute(PKCS7_SIGNER_INFO* signer, int nid, std::string_view text);
void add_octet_attribute(PKCS7_SIGNER_INFO* signer, int nid, ByteView bytes);

// A messageType attribute's decimal text as a request type this server
// knows (17, 19, 20, 21, 22); nullopt otherwise.
std::optional<ScepMessageType> message_type_of(std::string_view text);

// Only printable ASCII (0x20..0x7e).
bool printable_ascii(std::string_view text);

// The digests and envelope ciphers SCEP here accepts, by NID; nullopt for
// others (single DES, MD5, ...).
std::optional<HashAlgorithm> digest_of(int nid);
std::optional<ScepCipher> cipher_of(int nid);
// The name OpenSSL fetches a cipher by.
const char* cipher_name(ScepCipher cipher);
// An OID as text (its short name, or dotted).
std::string object_name(const ASN1_OBJECT* object);

// The challengePassword of a DER PKCS#10 request, whatever string type
// carries it; empty when there is none or the request cannot be walked.
SecureString challenge_of(ByteView der);

// IssuerAndSubject ::= SEQUENCE { issuer Name, subject Name } (CertPoll):
// the two names' DER. False when `der` is not that.
bool read_issuer_and_subject(ByteView der, Bytes& issuer, Bytes& subject);

} // namespace certforge::openssl
