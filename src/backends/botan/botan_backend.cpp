// SPDX-License-Identifier: Apache-2.0
#include "botan_backend.hpp"

#include "botan_factory.hpp"
#include "certforge/errors.hpp"
#include "lib/common/test_hooks.hpp"

#include <botan/auto_rng.h>
#include <botan/ber_dec.h>
#include <botan/chacha_rng.h>
#include <botan/data_src.h>
#include <botan/ecc_key.h>
#include <botan/hash.h>
#include <botan/pk_algs.h>
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

namespace {

std::unique_ptr<Botan::RandomNumberGenerator> make_rng() {
    if (const auto seed = detail::fixed_random_seed()) {
        // ChaCha_RNG counts as seeded once given 256 bits: hash the seed to that.
        const auto sha256 = Botan::HashFunction::create_or_throw("SHA-256");
        return std::make_unique<Botan::ChaCha_RNG>(sha256->process(*seed));
    }
    return std::make_unique<Botan::AutoSeeded_RNG>();
}

} // namespace

BotanBackend::BotanBackend() : rng_(make_rng()) {}

const LoadedCa& BotanBackend::loaded_ca(const CaCredentials& credentials) {
    return loaded_cas_.get(credentials, [](const CaCredentials& c) { return load_ca(c); });
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
                                     const std::optional<CaCredentials>& issuer) {
    return botan::sign_certificate(*rng_, tmpl, subject_key,
                                   issuer ? &this->loaded_ca(*issuer) : nullptr);
}

Bytes BotanBackend::sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                                    const CaCredentials& issuer) {
    return botan::sign_public_key(*rng_, tmpl, public_key_info, this->loaded_ca(issuer));
}

Bytes BotanBackend::sign_crl(const CrlTemplate& tmpl, const CaCredentials& issuer) {
    return botan::sign_crl(*rng_, tmpl, this->loaded_ca(issuer));
}

Bytes BotanBackend::sign_csr(const CertificateTemplate& tmpl, const PrivateKey& key) {
    return botan::sign_csr(*rng_, tmpl, key);
}

CsrInfo BotanBackend::parse_csr(ByteView der, std::string_view source) const {
    return botan::parse_csr(der, source);
}

CertInfo BotanBackend::parse_certificate(ByteView der, std::string_view source) const {
    return botan::parse_certificate(der, source);
}

namespace {

// RSASSA-PSS-params (RFC 4055): each field, or its default.
struct PssParameters {
    std::string hash = "1.3.14.3.2.26";
    std::string mgf1_hash = "1.3.14.3.2.26";
    std::size_t salt_length = 20;
    std::size_t trailer_field = 1;
};

PssParameters decode_pss_parameters(const std::vector<uint8_t>& der) {
    PssParameters out;
    Botan::BER_Decoder fields = Botan::BER_Decoder(der).start_cons(Botan::SEQUENCE);
    const auto tagged = Botan::ASN1_Tag(Botan::CONSTRUCTED | Botan::CONTEXT_SPECIFIC);
    Botan::BER_Object field = fields.get_next_object();
    if (field.is_a(0, tagged)) {
        Botan::AlgorithmIdentifier hash;
        Botan::BER_Decoder(field).decode(hash).verify_end();
        out.hash = hash.get_oid().to_string();
        field = fields.get_next_object();
    }
    if (field.is_a(1, tagged)) {
        Botan::AlgorithmIdentifier mgf;
        Botan::AlgorithmIdentifier hash;
        Botan::BER_Decoder(field).decode(mgf).verify_end();
        Botan::BER_Decoder(mgf.get_parameters()).decode(hash).verify_end();
        out.mgf1_hash = hash.get_oid().to_string();
        field = fields.get_next_object();
    }
    if (field.is_a(2, tagged)) {
        Botan::BER_Decoder(field).decode(out.salt_length).verify_end();
        field = fields.get_next_object();
    }
    if (field.is_a(3, tagged)) {
        Botan::BER_Decoder(field).decode(out.trailer_field).verify_end();
        field = fields.get_next_object();
    }
    if (field.is_set()) {
        throw Botan::Decoding_Error("unexpected field in RSASSA-PSS-params");
    }
    fields.end_cons();
    return out;
}

// Whether an RSA-PSS key whose algorithm identifier is `key` may make a
// signature with `signature` (RFC 4055 3.3: a key with parameters allows
// only their hash, mask and trailer, and salts at least as long), as
// OpenSSL checks it and Botan's own signature check does not.
bool pss_signature_allowed(const Botan::AlgorithmIdentifier& key,
                           const Botan::AlgorithmIdentifier& signature) {
    if (key.get_oid().to_string() != "1.2.840.113549.1.1.10" ||
        key.parameters_are_null_or_empty()) {
        return true;
    }
    const PssParameters allowed = decode_pss_parameters(key.get_parameters());
    const PssParameters used = decode_pss_parameters(signature.get_parameters());
    return used.hash == allowed.hash && used.mgf1_hash == allowed.mgf1_hash &&
           used.salt_length >= allowed.salt_length && used.trailer_field == allowed.trailer_field;
}

// Why the parts of `key` do not fit together (see Backend::describe_key),
// or nullopt when they do.
std::optional<std::string> inconsistency(const Botan::Private_Key& key) {
    if (const auto* rsa = dynamic_cast<const Botan::RSA_PrivateKey*>(&key)) {
        const Botan::BigInt& p = rsa->get_p();
        const Botan::BigInt& q = rsa->get_q();
        if (p < 2 || q < 2 || p * q != rsa->get_n()) {
            return "n is not p*q";
        }
        const Botan::BigInt p1 = p - 1;
        const Botan::BigInt q1 = q - 1;
        const Botan::BigInt de = rsa->get_d() * rsa->get_e();
        if (de % p1 != 1 || de % q1 != 1) {
            return "d*e is not 1 modulo p-1 and q-1";
        }
        if (rsa->get_d1() != rsa->get_d() % p1 || rsa->get_d2() != rsa->get_d() % q1 ||
            (rsa->get_c() * q) % p != 1) {
            return "the CRT exponents or coefficient do not fit p, q and d";
        }
        return std::nullopt;
    }
    if (const auto* ec = dynamic_cast<const Botan::EC_PrivateKey*>(&key)) {
        Botan::AutoSeeded_RNG rng;
        std::vector<Botan::BigInt> workspace;
        if (ec->domain().blinded_base_point_multiply(ec->private_value(), rng, workspace) !=
            ec->public_point()) {
            return "the public point is not the private value times the generator";
        }
    }
    return std::nullopt;
}

} // namespace

bool BotanBackend::key_matches_certificate(const PrivateKey& key, ByteView certificate_der) const {
    const auto loaded = load_private_key(key);
    const DecodedCertificate cert = decode_certificate(certificate_der, "certificate");
    return loaded->algorithm_identifier().get_oid() == cert.public_key_algorithm.get_oid() &&
           loaded->public_key_bits() == cert.public_key_bits;
}

std::optional<bool> BotanBackend::certificate_signed_by(ByteView certificate_der,
                                                        ByteView issuer_der,
                                                        std::string& why) const {
    const DecodedCertificate cert = decode_certificate(certificate_der, "certificate");
    const DecodedCertificate issuer = decode_certificate(issuer_der, "issuer certificate");
    std::unique_ptr<Botan::Public_Key> key;
    try {
        key = Botan::load_public_key(issuer.public_key_algorithm, issuer.public_key_bits);
    } catch (const Botan::Exception& e) {
        why = fmt::format("the issuer's public key cannot be read: Botan: {}", e.what());
        return std::nullopt;
    }
    // RFC 5280 4.1.1.2: the signature field inside must equal the one outside
    // (OpenSSL's X509_verify compares them first too).
    const Botan::AlgorithmIdentifier& outer = cert.signed_data.signature_algorithm();
    if (outer.get_oid() != cert.tbs_signature_algorithm.get_oid() ||
        outer.get_parameters() != cert.tbs_signature_algorithm.get_parameters()) {
        return false;
    }
    try {
        if (!pss_signature_allowed(issuer.public_key_algorithm, outer)) {
            why = "the RSA-PSS parameters of the signature are not those the issuer's key "
                  "allows (RFC 4055)";
            return std::nullopt;
        }
        const Botan::Certificate_Status_Code status = cert.signed_data.verify_signature(*key);
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
    if (key.external()) {
        return token_signing_key(key.external());
    }
    std::unique_ptr<Botan::Private_Key> loaded;
    try {
        Botan::DataSource_Memory source(key.pkcs8_der().data(), key.pkcs8_der().size());
        loaded = Botan::PKCS8::load_key(source);
    } catch (const Botan::Exception& e) {
        throw InputError(fmt::format("the private key is not valid PKCS#8: Botan: {}", e.what()));
    }
    if (const auto reason = inconsistency(*loaded)) {
        throw InputError(inconsistent_key_message(key, *reason));
    }
    return loaded;
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
