// SPDX-License-Identifier: Apache-2.0
// The OpenSSL 3 backend. Works in its own OSSL_LIB_CTX so that weak
// algorithms chosen by a legacy profile never depend on, or change, the
// process-wide defaults.
#pragma once

#include "../loaded_ca_cache.hpp"
#include "certforge/backend.hpp"
#include "openssl_handles.hpp"

namespace certforge::openssl {

// Shared by the certificate and CRL writers.
struct LoadedCa {
    PkeyPtr key;
    X509Ptr certificate;
};

class OpenSslBackend final : public Backend {
public:
    OpenSslBackend();

    std::string_view name() const noexcept override { return "openssl"; }
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

    OSSL_LIB_CTX* context() const noexcept { return ctx_.get(); }

private:
    const LoadedCa& loaded_ca(const CaCredentials& credentials);

    LibCtxPtr ctx_;
    detail::LoadedCaCache<LoadedCa> loaded_cas_;
    // The issuer certificate_signed_by parsed last (a backend serves one
    // thread at a time, as every Backend does).
    mutable Bytes cached_issuer_der_;
    mutable X509Ptr cached_issuer_;
};

// Key and certificate conversions within this backend's library context.
// A key on a token loads as token_signing_key() makes it.
PkeyPtr load_private_key(OSSL_LIB_CTX* ctx, const PrivateKey& key);
// The public half of a key, for comparing it with a certificate's.
PkeyPtr public_key_of(OSSL_LIB_CTX* ctx, const PrivateKey& key);

// Keys on tokens (token_key.cpp). The signing key is an RSA EVP_PKEY whose
// private-key operation runs on the token; when OpenSSL reports that a
// signature failed, rethrow_token_failure() throws the token's own error
// (one line naming its URI), if that was the cause.
PkeyPtr token_signing_key(const std::shared_ptr<const ExternalKey>& key);
PkeyPtr token_public_key(OSSL_LIB_CTX* ctx, const ExternalKey& key);
void rethrow_token_failure();
PrivateKey to_private_key(const EVP_PKEY* pkey);
X509Ptr load_certificate(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source);
Bytes digest(OSSL_LIB_CTX* ctx, const char* algorithm, ByteView data);
// RFC 5280 method 1 key identifier: SHA-1 of the subjectPublicKey bits.
Bytes key_identifier(OSSL_LIB_CTX* ctx, const X509_PUBKEY* public_key);
// The name OpenSSL fetches for a hash ("SHA1", "SHA256", ...).
const char* digest_name(HashAlgorithm hash);

// `issuer` null: self-signed.
Bytes sign_certificate(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl,
                       const PrivateKey& subject_key, const LoadedCa* issuer);
Bytes sign_public_key(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl, ByteView public_key_info,
                      const LoadedCa& issuer);
// A SubjectPublicKeyInfo DER as a key. Throws InputError when it is not one.
PkeyPtr load_public_key(OSSL_LIB_CTX* ctx, ByteView public_key_info);
Bytes sign_csr(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl, const PrivateKey& key);
CsrInfo parse_csr(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source);
// Shared with the CSR writer: name and SAN encoders of the certificate writer.
X509NamePtr make_x509_name(const DistinguishedName& dn);
GeneralNamesPtr make_general_names(const std::vector<SubjectAltName>& sans);
// Shared with the CSR reader: DNS and IP names out of a GENERAL_NAMES.
void read_general_names(const GENERAL_NAMES* names, std::vector<SubjectAltName>& out,
                        unsigned& others);
// The subject of a request, read under NamePolicy::request (dn_text.hpp):
// undecodable strings and control characters are refused with InputError.
// Used only by the CSR reader.
DistinguishedName read_x509_name(const X509_NAME* name, std::string_view source);
CertInfo parse_certificate(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source);

// The CA's key and certificate. Throws InputError when they do not match.
LoadedCa load_ca(OSSL_LIB_CTX* ctx, const CaCredentials& issuer);
// The certificate's subjectKeyIdentifier, or the RFC 5280 method 1 id of its key.
Bytes subject_key_id_of(OSSL_LIB_CTX* ctx, X509* cert);
Asn1OctetStringPtr octet_string(ByteView bytes);
void set_time(ASN1_TIME* field, UnixTime when);
// A digest-sign context for `key` and `hash`; throws CryptoError with
// signing_refused() when OpenSSL refuses.
MdCtxPtr signing_context(OSSL_LIB_CTX* ctx, EVP_PKEY* key, HashAlgorithm hash,
                         std::string_view what);
std::string signing_refused(HashAlgorithm hash, std::string_view what);
Bytes sign_crl(OSSL_LIB_CTX* ctx, const CrlTemplate& tmpl, const LoadedCa& issuer);

} // namespace certforge::openssl
