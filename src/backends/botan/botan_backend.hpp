// The Botan 2 backend. Every object Botan hands out is owned by a unique_ptr
// at once; Botan exceptions become certforge errors at this boundary.
#pragma once

#include "certforge/backend.hpp"

#include <botan/pk_keys.h>
#include <botan/rng.h>
#include <botan/x509cert.h>
#include <memory>

namespace certforge::botan {

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
                           const std::optional<IssuerCredentials>& issuer) override;
    CertInfo parse_certificate(ByteView der, std::string_view source) const override;
    bool key_matches_certificate(const PrivateKey& key, ByteView certificate_der) const override;
    Bytes sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                          const IssuerCredentials& issuer) override;
    Bytes create_csr(const CertificateTemplate& tmpl, const PrivateKey& key) override;
    CsrInfo parse_csr(ByteView der, std::string_view source) const override;

private:
    std::unique_ptr<Botan::RandomNumberGenerator> rng_;
};

// A PKCS#8 key as a Botan object. Throws InputError when it is not one.
std::unique_ptr<Botan::Private_Key> load_private_key(const PrivateKey& key);
// A DER certificate as a Botan object. Throws InputError naming `source`.
Botan::X509_Certificate load_certificate(ByteView der, std::string_view source);
// Botan's name for a hash ("SHA-160" for SHA-1).
std::string botan_hash_name(HashAlgorithm hash);

Bytes write_certificate(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                        const PrivateKey& subject_key,
                        const std::optional<IssuerCredentials>& issuer);
Bytes write_certificate_for_public_key(Botan::RandomNumberGenerator& rng,
                                       const CertificateTemplate& tmpl, ByteView public_key_info,
                                       const IssuerCredentials& issuer);
Bytes write_csr(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                const PrivateKey& key);
CsrInfo read_csr(ByteView der, std::string_view source);
CertInfo read_certificate(ByteView der, std::string_view source);

} // namespace certforge::botan
