// SPDX-License-Identifier: Apache-2.0
// The crypto backend interface. Each backend (OpenSSL 3, Botan 2) lives in its
// own folder and is reached only through this interface and the registry.
// Keys cross it as unencrypted PKCS#8 DER, certificates as DER, so each
// backend reads what the other wrote.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/bytes.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/crl.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

struct KeySpec {
    KeyAlgorithm algorithm = KeyAlgorithm::rsa;
    unsigned bits = 2048;
};

// An RSA private key that stays in a device (a PKCS#11 token) and signs
// there. Backends wrap it in their library's key type; the device does the
// padding and the private-key operation, the backend the hashing and the
// DigestInfo.
class ExternalKey {
public:
    virtual ~ExternalKey() = default;
    // Where the key is, for messages (its URI, which never holds the PIN).
    virtual const std::string& name() const noexcept = 0;
    // The public key: modulus and exponent, big-endian, no leading zeros.
    virtual const Bytes& rsa_modulus() const noexcept = 0;
    virtual const Bytes& rsa_public_exponent() const noexcept = 0;
    // RSASSA-PKCS1-v1_5 (RFC 8017 8.2.1) of an encoded DigestInfo: EMSA
    // padding and the RSA operation, on the device (CKM_RSA_PKCS). Returns
    // as many bytes as the modulus has. Safe to call from several threads
    // (the calls are serialised). Throws InputError when the device fails.
    virtual Bytes sign_digest_info(ByteView digest_info) const = 0;
};

// A private key: PKCS#8 PrivateKeyInfo DER held in wiping memory, or a key
// in a device (`external()`, shared by the copies; its pkcs8_der() is
// empty). `source` names where it came from (a key file, a token URI) in the
// messages of the errors it causes; empty for a key certforge made or took
// from a container.
class PrivateKey {
public:
    explicit PrivateKey(SecureBytes pkcs8_der, std::string source = {})
        : der_(std::move(pkcs8_der)), source_(std::move(source)) {}
    explicit PrivateKey(std::shared_ptr<const ExternalKey> external)
        : source_(external->name()), external_(std::move(external)) {}
    ByteView pkcs8_der() const noexcept { return der_; }
    const std::string& source() const noexcept { return source_; }
    const std::shared_ptr<const ExternalKey>& external() const noexcept { return external_; }

private:
    SecureBytes der_;
    std::string source_;
    std::shared_ptr<const ExternalKey> external_;
};

// "SOURCE: the private key is inconsistent (REASON)", without "SOURCE: "
// when the key has no source: the message both backends give a key whose
// parts do not fit together.
inline std::string inconsistent_key_message(const PrivateKey& key, std::string_view reason) {
    std::string message = key.source().empty() ? "" : key.source() + ": ";
    message += "the private key is inconsistent (";
    message += reason;
    message += ")";
    return message;
}

// What a key is, as far as profiles care.
struct KeyDescription {
    KeyAlgorithm algorithm = KeyAlgorithm::unknown;
    unsigned bits = 0;
};

// Everything a backend needs to encode one certificate. The builder fills it
// from a profile and a request; the backend adds the public key, the key
// identifiers and the signature, and nothing else. Given the same template,
// key and issuer, every backend must produce the same DER: extensions in
// ascending OID order, times as UTCTime before 2050, DER-minimal encodings.
struct CertificateTemplate {
    DistinguishedName subject;                     // attributes with their string types
    std::vector<SubjectAltName> subject_alt_names; // empty: no SAN extension
    Bytes serial;                                  // positive, big-endian, top bit clear
    UnixTime not_before = 0;
    UnixTime not_after = 0;
    HashAlgorithm signature_hash = HashAlgorithm::sha256;
    std::optional<BasicConstraints> basic_constraints;
    std::optional<KeyUsageExtension> key_usage;
    std::optional<ExtendedKeyUsageExtension> extended_key_usage;
    bool subject_key_id = true;   // RFC 5280 method 1 (SHA-1 of the key bits)
    bool authority_key_id = true; // the issuer's subject key id
};

// The CA that signs a certificate.
struct CaCredentials {
    ByteView certificate_der;
    const PrivateKey& key;
};

class Backend {
public:
    virtual ~Backend() = default;

    // "openssl" or "botan".
    virtual std::string_view name() const noexcept = 0;
    // The crypto library's own version text, e.g. "OpenSSL 3.0.11 19 Sep 2023".
    virtual std::string library_version() const = 0;

    // A new key pair. Throws UsageError for an algorithm or size the backend
    // cannot make, CryptoError when the library fails.
    virtual PrivateKey generate_key(const KeySpec& spec) = 0;
    // Algorithm and size of a PKCS#8 key. Throws InputError if it is not one.
    //
    // Every method that takes a PrivateKey first checks that its parts fit
    // together (RSA: n = p*q, d*e = 1 modulo p-1 and q-1, the CRT values;
    // EC: the public point is the private value times the generator) and
    // throws InputError "SOURCE: the private key is inconsistent (REASON)"
    // when they do not, in the same words on both backends. Primality of p
    // and q is not tested: it would cost tens of milliseconds per use.
    virtual KeyDescription describe_key(const PrivateKey& key) const = 0;

    // Bytes from the library's CSPRNG.
    virtual Bytes random_bytes(std::size_t count) = 0;

    // The hash of `data`. Used by formats certforge writes itself (JKS).
    virtual Bytes digest(HashAlgorithm hash, ByteView data) const = 0;

    // Signs a certificate for `subject_key`'s public key as `tmpl` says. With
    // no issuer the certificate is self-signed by `subject_key`. Weak hashes
    // and small keys are made as asked: the profile decides, not the library's
    // security level. Returns DER.
    virtual Bytes sign_certificate(const CertificateTemplate& tmpl, const PrivateKey& subject_key,
                                   const std::optional<CaCredentials>& issuer) = 0;

    // Signs a certificate for a public key alone (SubjectPublicKeyInfo DER,
    // as a CSR carries it), issued by `issuer`.
    virtual Bytes sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                                  const CaCredentials& issuer) = 0;

    // A PKCS#10 request for `key` with the template's subject, SANs and
    // hash (the other template fields are ignored). Returns DER.
    virtual Bytes sign_csr(const CertificateTemplate& tmpl, const PrivateKey& key) = 0;
    // Parses a DER PKCS#10 request and checks its self-signature. Throws
    // InputError naming `source` when it is not a request.
    virtual CsrInfo parse_csr(ByteView der, std::string_view source) const = 0;

    // Signs a v2 CRL as `tmpl` says, issued by `issuer`. Returns DER.
    virtual Bytes sign_crl(const CrlTemplate& tmpl, const CaCredentials& issuer) = 0;

    // Parses one DER certificate. Throws InputError naming `source` when the
    // bytes are not a certificate.
    virtual CertInfo parse_certificate(ByteView der, std::string_view source) const = 0;

    // True when the private key belongs to the certificate's public key.
    virtual bool key_matches_certificate(const PrivateKey& key, ByteView certificate_der) const = 0;

    // Whether `certificate_der` carries a signature made by the key of
    // `issuer_der`: true or false, or nullopt when the backend cannot check
    // that signature algorithm (the reason goes to `why`). Weak hashes are
    // checked like any other: the profile judges them, not the library.
    virtual std::optional<bool> certificate_signed_by(ByteView certificate_der, ByteView issuer_der,
                                                      std::string& why) const = 0;
};

} // namespace certforge
