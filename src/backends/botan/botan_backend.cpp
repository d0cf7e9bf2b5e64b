#include "botan_backend.hpp"

#include "botan_factory.hpp"
#include "certforge/errors.hpp"

#include <botan/auto_rng.h>
#include <botan/data_src.h>
#include <botan/hash.h>
#include <botan/pkcs8.h>
#include <botan/rsa.h>
#include <botan/version.h>
#include <botan/x509cert.h>
#include <fmt/format.h>

namespace certforge {

std::unique_ptr<Backend> make_botan_backend() {
    return std::make_unique<botan::BotanBackend>();
}

namespace botan {

BotanBackend::BotanBackend() : rng_(std::make_unique<Botan::AutoSeeded_RNG>()) {}

const Issuer& BotanBackend::issuer(const IssuerCredentials& credentials) {
    return issuers_.get(credentials, [](const IssuerCredentials& c) { return load_issuer(c); });
}

std::string BotanBackend::library_version() const {
    return Botan::version_string();
}

PrivateKey BotanBackend::generate_key(const KeySpec& spec) {
    if (spec.algorithm != KeyAlgorithm::rsa) {
        throw UsageError(fmt::format("the botan backend makes RSA keys only, not {}",
                                     to_string(spec.algorithm)));
    }
    if (spec.bits < 1024 || spec.bits > 16384) {
        throw UsageError(fmt::format("RSA key size {} is outside 1024..16384", spec.bits));
    }
    try {
        const Botan::RSA_PrivateKey key(*rng_, spec.bits);
        const Botan::secure_vector<uint8_t> der = Botan::PKCS8::BER_encode(key);
        return PrivateKey(SecureBytes(der.begin(), der.end()));
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("RSA key generation failed: Botan: {}", e.what()));
    }
}

KeyDescription BotanBackend::describe_key(const PrivateKey& key) const {
    const auto loaded = load_private_key(key);
    KeyDescription description;
    const std::string algorithm = loaded->algo_name();
    description.algorithm = algorithm == "RSA"     ? KeyAlgorithm::rsa
                            : algorithm == "ECDSA" ? KeyAlgorithm::ec
                                                   : KeyAlgorithm::unknown;
    description.bits = static_cast<unsigned>(loaded->key_length());
    return description;
}

Bytes BotanBackend::random_bytes(std::size_t count) {
    try {
        Bytes out(count);
        rng_->randomize(out.data(), out.size());
        return out;
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("the random generator failed: Botan: {}", e.what()));
    }
}

Bytes BotanBackend::digest(HashAlgorithm hash, ByteView data) const {
    try {
        const auto function = Botan::HashFunction::create_or_throw(botan_hash_name(hash));
        return Botan::unlock(function->process(data.data(), data.size()));
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("hash {} failed: Botan: {}", to_string(hash), e.what()));
    }
}

Bytes BotanBackend::sign_certificate(const CertificateTemplate& tmpl, const PrivateKey& subject_key,
                                     const std::optional<IssuerCredentials>& issuer) {
    return write_certificate(*rng_, tmpl, subject_key, issuer ? &this->issuer(*issuer) : nullptr);
}

Bytes BotanBackend::sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                                    const IssuerCredentials& issuer) {
    return write_certificate_for_public_key(*rng_, tmpl, public_key_info, this->issuer(issuer));
}

Bytes BotanBackend::sign_crl(const CrlTemplate& tmpl, const IssuerCredentials& issuer) {
    return write_crl(*rng_, tmpl, this->issuer(issuer));
}

Bytes BotanBackend::create_csr(const CertificateTemplate& tmpl, const PrivateKey& key) {
    return write_csr(*rng_, tmpl, key);
}

CsrInfo BotanBackend::parse_csr(ByteView der, std::string_view source) const {
    return read_csr(der, source);
}

CertInfo BotanBackend::parse_certificate(ByteView der, std::string_view source) const {
    return read_certificate(der, source);
}

bool BotanBackend::key_matches_certificate(const PrivateKey& key, ByteView certificate_der) const {
    const auto loaded = load_private_key(key);
    const Botan::X509_Certificate cert = load_certificate(certificate_der, "certificate");
    return loaded->algorithm_identifier().get_oid() == cert.subject_public_key_algo().get_oid() &&
           loaded->public_key_bits() == cert.subject_public_key_bitstring();
}

std::optional<bool> BotanBackend::certificate_signed_by(ByteView certificate_der,
                                                        ByteView issuer_der,
                                                        std::string& why) const {
    const Botan::X509_Certificate cert = load_certificate(certificate_der, "certificate");
    const Botan::X509_Certificate issuer = load_certificate(issuer_der, "issuer certificate");
    try {
        const std::unique_ptr<Botan::Public_Key> key(issuer.subject_public_key());
        const Botan::Certificate_Status_Code status = cert.verify_signature(*key);
        if (status == Botan::Certificate_Status_Code::VERIFIED) {
            return true;
        }
        if (status == Botan::Certificate_Status_Code::SIGNATURE_ERROR) {
            return false;
        }
        why = fmt::format("Botan cannot check this signature: {}", Botan::to_string(status));
    } catch (const Botan::Exception& e) {
        why = fmt::format("Botan cannot check this signature: {}", e.what());
    }
    return std::nullopt;
}

std::unique_ptr<Botan::Private_Key> load_private_key(const PrivateKey& key) {
    try {
        Botan::DataSource_Memory source(key.pkcs8_der().data(), key.pkcs8_der().size());
        return Botan::PKCS8::load_key(source);
    } catch (const Botan::Exception& e) {
        throw InputError(fmt::format("the private key is not valid PKCS#8: Botan: {}", e.what()));
    }
}

Botan::X509_Certificate load_certificate(ByteView der, std::string_view source) {
    std::size_t encoded_size = 0;
    try {
        if (der.empty()) {
            throw Botan::Decoding_Error("no data");
        }
        Botan::X509_Certificate cert(der.data(), der.size());
        encoded_size = cert.BER_encode().size();
        if (encoded_size >= der.size()) {
            return cert;
        }
    } catch (const Botan::Exception& e) {
        throw InputError(
            fmt::format("{}: not a valid X.509 certificate (Botan: {})", source, e.what()));
    }
    throw InputError(fmt::format("{}: {} bytes of trailing data after the certificate", source,
                                 der.size() - encoded_size));
}

std::string botan_hash_name(HashAlgorithm hash) {
    switch (hash) {
    case HashAlgorithm::md5:
        return "MD5";
    case HashAlgorithm::sha1:
        return "SHA-160";
    case HashAlgorithm::sha224:
        return "SHA-224";
    case HashAlgorithm::sha256:
        return "SHA-256";
    case HashAlgorithm::sha384:
        return "SHA-384";
    case HashAlgorithm::sha512:
        return "SHA-512";
    case HashAlgorithm::unknown:
        break;
    }
    throw UsageError("no hash algorithm chosen");
}

} // namespace botan
} // namespace certforge
