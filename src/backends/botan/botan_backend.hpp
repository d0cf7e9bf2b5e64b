// SPDX-License-Identifier: Apache-2.0
// The Botan 2 backend. Every object Botan hands out is owned by a unique_ptr
// at once; Botan exceptions become certforge errors at this boundary.
#pragma once

#include "../loaded_ca_cache.hpp"
#include "certforge/backend.hpp"
#include "certforge/dn_text.hpp"

#include <botan/asn1_obj.h>
#include <botan/bigint.h>
#include <botan/pk_keys.h>
#include <botan/pkix_types.h>
#include <botan/rng.h>
#include <botan/x509_ext.h>
#include <botan/x509_obj.h>
#include <botan/x509cert.h>
#include <memory>
#include <optional>

namespace certforge::botan {

// Shared by the certificate and CRL writers.
struct LoadedCa {
    std::unique_ptr<Botan::Private_Key> key;
    Botan::X509_Certificate certificate;
};
class BotanBackend final : public Backend {
public:
    BotanBackend();

    std::string_view name() const noexcept override { return "botan"; }
    std::string library_version() const override;
    PrivateKey generate_key(const KeySpec& spec) override;
    KeyDescription describe_key(const PrivateKey& key) const override;
    Bytes random_bytes(std::size_t count) override;
    Bytes digest(HashAlgorithm hash, ByteView data) const override;
    Bytes sign_certificate(const CertificateTemplate& tmpl, const PrivateKey& subject_key,
                           const std::optional<CaCredentials>& issuer) override;
    CertInfo parse_certificate(ByteView der, std::string_view source) const override;
    bool key_matches_certificate(const PrivateKey& key, ByteView certificate_der) const override;
    std::optional<bool> certificate_signed_by(ByteView certificate_der, ByteView issuer_der,
                                              std::string& why) const override;
    Bytes sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                          const CaCredentials& issuer) override;
    Bytes sign_csr(const CertificateTemplate& tmpl, const PrivateKey& key) override;
    CsrInfo parse_csr(ByteView der, std::string_view source) const override;
    Bytes sign_crl(const CrlTemplate& tmpl, const CaCredentials& issuer) override;

private:
    const LoadedCa& loaded_ca(const CaCredentials& credentials);

    std::unique_ptr<Botan::RandomNumberGenerator> rng_;
    detail::LoadedCaCache<LoadedCa> loaded_cas_;
};

// A PKCS#8 key as a Botan object. Throws InputError when it is not one, or
// when its parts do not fit together ("SOURCE: the private key is
// inconsistent (n is not p*q)"; see PrivateKey::source()).
// A key on a token loads as token_signing_key() makes it.
std::unique_ptr<Botan::Private_Key> load_private_key(const PrivateKey& key);
// A key on a token as a Botan key whose signatures the token makes
// (token_key.cpp).
std::unique_ptr<Botan::Private_Key>
token_signing_key(const std::shared_ptr<const ExternalKey>& key);
// A DER certificate as a Botan object. Throws InputError naming `source`.
Botan::X509_Certificate load_certificate(ByteView der, std::string_view source);

// The outer SEQUENCE of a certificate (the TBS bytes, the signature
// algorithm and the signature), as X509_Object decodes and checks it.
class SignedData final : public Botan::X509_Object {
public:
    std::string PEM_label() const override { return "CERTIFICATE"; }

private:
    void force_decode() override {}
};

struct RawExtension {
    Botan::OID oid;
    bool critical = false;
    std::vector<uint8_t> value; // the extnValue OCTET STRING's content
};

// A DER certificate decoded field by field with Botan's BER decoder. Botan
// 2's X509_Certificate refuses certificates that OpenSSL reads (an RSA-PSS
// key whose parameters are not the signature's, a version other than
// v1..v3, inner and outer signature algorithms that differ) and
// de-duplicates subjectAltNames in quadratic time, so the parser, the
// signature check and key matching read this instead.
struct DecodedCertificate {
    SignedData signed_data;
    std::size_t version = 1; // the encoded value plus one, as in "X.509 v3"
    Botan::BigInt serial;
    Botan::AlgorithmIdentifier tbs_signature_algorithm;
    Botan::X509_DN issuer;
    Botan::X509_Time not_before;
    Botan::X509_Time not_after;
    Botan::X509_DN subject;
    Botan::AlgorithmIdentifier public_key_algorithm;
    std::vector<uint8_t> public_key_bits; // the subjectPublicKey BIT STRING's content
    std::vector<RawExtension> extensions; // in encoding order, repeated ones kept
};

// Throws InputError naming `source` when `der` is not one DER certificate.
DecodedCertificate decode_certificate(ByteView der, std::string_view source);

// Botan's name for a hash ("SHA-160" for SHA-1).
std::string botan_hash_name(HashAlgorithm hash);

// `issuer` null: self-signed.
Bytes sign_certificate(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                       const PrivateKey& subject_key, const LoadedCa* issuer);
Bytes sign_public_key(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                      ByteView public_key_info, const LoadedCa& issuer);
Bytes sign_csr(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
               const PrivateKey& key);
CsrInfo parse_csr(ByteView der, std::string_view source);

// Shared by the certificate and CSR code: a DN as certforge encodes it, the
// subjectAltName extension as certforge encodes it (order kept, IPv6 too),
// and a DN read back through dn_text.
Botan::X509_DN x509_dn(const DistinguishedName& dn);
void add_subject_alt_names(Botan::Extensions& extensions, const std::vector<SubjectAltName>& sans,
                           bool critical);
DistinguishedName read_x509_dn(const Botan::X509_DN& dn, NamePolicy policy, std::string_view source,
                               std::string_view whose);

// The CA's key and certificate. Throws InputError when they do not match.
LoadedCa load_ca(const CaCredentials& issuer);
// RFC 5280 method 1: SHA-1 of the subjectPublicKey bits.
std::vector<uint8_t> key_identifier(const std::vector<uint8_t>& public_key_bits);
// The certificate's subjectKeyIdentifier, or the method 1 id of its key.
std::vector<uint8_t> subject_key_id_of(const Botan::X509_Certificate& cert);
Botan::X509_Time to_time(UnixTime when);
Bytes sign_crl(Botan::RandomNumberGenerator& rng, const CrlTemplate& tmpl, const LoadedCa& issuer);

CertInfo parse_certificate(ByteView der, std::string_view source);

} // namespace certforge::botan
