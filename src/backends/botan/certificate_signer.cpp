// SPDX-License-Identifier: Apache-2.0
#include "botan_backend.hpp"
#include "certforge/errors.hpp"
#include "certforge/oids.hpp"

#include <botan/bigint.h>
#include <botan/der_enc.h>
#include <botan/hash.h>
#include <botan/pkcs10.h>
#include <botan/pkix_types.h>
#include <botan/pubkey.h>
#include <botan/x509_ca.h>
#include <botan/x509_ext.h>
#include <botan/x509_key.h>
#include <chrono>
#include <fmt/format.h>

namespace certforge::botan {
namespace {

// An extension whose DER contents certforge encodes itself with Botan's
// DER_Encoder: Botan 2's AlternativeName neither keeps the order of the
// names nor encodes IPv6 addresses.
class EncodedExtension final : public Botan::Certificate_Extension {
public:
    EncodedExtension(Botan::OID oid, std::string name, std::vector<uint8_t> contents)
        : oid_(std::move(oid)), name_(std::move(name)), contents_(std::move(contents)) {}

    Botan::OID oid_of() const override { return oid_; }
    std::string oid_name() const override { return name_; }
    Botan::Certificate_Extension* copy() const override {
        return std::make_unique<EncodedExtension>(*this).release();
    }
    void contents_to(Botan::Data_Store&, Botan::Data_Store&) const override {}

private:
    std::vector<uint8_t> encode_inner() const override { return contents_; }
    void decode_inner(const std::vector<uint8_t>& in) override { contents_ = in; }

    Botan::OID oid_;
    std::string name_;
    std::vector<uint8_t> contents_;
};

Botan::ASN1_Tag string_tag(DnStringType type) {
    switch (type) {
    case DnStringType::printable:
        return Botan::PRINTABLE_STRING;
    case DnStringType::ia5:
        return Botan::IA5_STRING;
    case DnStringType::bmp:
        return Botan::BMP_STRING;
    default:
        return Botan::UTF8_STRING;
    }
}

} // namespace

Botan::X509_DN x509_dn(const DistinguishedName& dn) {
    Botan::X509_DN out;
    for (const auto& attribute : dn.attributes) {
        const std::string_view oid = dn_attribute_oid(attribute.type);
        if (oid.empty()) {
            throw UsageError(fmt::format("unknown DN attribute type '{}'", attribute.type));
        }
        out.add_attribute(Botan::OID::from_string(std::string(oid)),
                          Botan::ASN1_String(attribute.value, string_tag(attribute.string_type)));
    }
    return out;
}

namespace {

Botan::Key_Constraints key_constraints(KeyUsageSet bits) {
    unsigned value = 0;
    for (unsigned bit = 0; bit < kKeyUsageBitCount; ++bit) {
        if (bits & key_usage_flag(static_cast<KeyUsageBit>(bit))) {
            value |= 1u << (15 - bit);
        }
    }
    return static_cast<Botan::Key_Constraints>(value);
}

std::vector<uint8_t> general_names(const std::vector<SubjectAltName>& sans) {
    std::vector<uint8_t> out;
    Botan::DER_Encoder der(out);
    der.start_cons(Botan::SEQUENCE);
    for (const auto& san : sans) {
        if (san.type == SanType::dns) {
            der.add_object(static_cast<Botan::ASN1_Tag>(2), Botan::CONTEXT_SPECIFIC, san.value);
        } else {
            const auto address = parse_ip_address(san.value);
            if (!address) {
                throw InputError(fmt::format("'{}' is not an IP address", san.value));
            }
            der.add_object(static_cast<Botan::ASN1_Tag>(7), Botan::CONTEXT_SPECIFIC,
                           address->data(), address->size());
        }
    }
    der.end_cons();
    return out;
}

template <class Extension, class... Args>
void add(Botan::Extensions& extensions, bool critical, Args&&... args) {
    extensions.add(std::make_unique<Extension>(std::forward<Args>(args)...).release(), critical);
}

Botan::Extensions make_extensions(const CertificateTemplate& tmpl,
                                  const std::vector<uint8_t>& own_key_id,
                                  const std::vector<uint8_t>& issuer_key_id) {
    namespace ext = Botan::Cert_Extension;
    Botan::Extensions extensions;
    if (tmpl.basic_constraints) {
        const auto& bc = *tmpl.basic_constraints;
        add<ext::Basic_Constraints>(extensions, bc.critical, bc.ca,
                                    bc.path_length ? std::size_t{*bc.path_length}
                                                   : Botan::Cert_Extension::NO_CERT_PATH_LIMIT);
    }
    if (tmpl.key_usage) {
        add<ext::Key_Usage>(extensions, tmpl.key_usage->critical,
                            key_constraints(tmpl.key_usage->bits));
    }
    if (tmpl.extended_key_usage) {
        std::vector<Botan::OID> oids;
        for (const auto& oid : tmpl.extended_key_usage->oids) {
            oids.push_back(Botan::OID::from_string(oid));
        }
        add<ext::Extended_Key_Usage>(extensions, tmpl.extended_key_usage->critical, oids);
    }
    if (!tmpl.subject_alt_names.empty()) {
        add_subject_alt_names(extensions, tmpl.subject_alt_names, tmpl.subject.attributes.empty());
    }
    if (tmpl.subject_key_id) {
        add<ext::Subject_Key_ID>(extensions, false, own_key_id);
    }
    if (tmpl.authority_key_id) {
        add<ext::Authority_Key_ID>(extensions, false, issuer_key_id);
    }
    return extensions;
}

// `subject` is the key the certificate is for; a self-signed certificate is
// signed with `self_signer` (the same key's private half).
Bytes write(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
            const Botan::Public_Key& subject, const Botan::Private_Key* self_signer,
            const LoadedCa* issuer) {
    const Botan::X509_Certificate* issuer_cert = issuer ? &issuer->certificate : nullptr;
    const Botan::Private_Key* issuer_key = issuer ? issuer->key.get() : nullptr;
    try {
        const std::vector<uint8_t> own_key_id = key_identifier(subject.public_key_bits());
        const std::vector<uint8_t> issuer_key_id =
            issuer_cert ? subject_key_id_of(*issuer_cert) : own_key_id;
        const Botan::Extensions extensions = make_extensions(tmpl, own_key_id, issuer_key_id);
        const Botan::X509_DN subject_dn = x509_dn(tmpl.subject);
        const Botan::X509_DN issuer_dn = issuer_cert ? issuer_cert->subject_dn() : subject_dn;
        const Botan::Private_Key& signing_key = issuer_key ? *issuer_key : *self_signer;

        Botan::AlgorithmIdentifier signature_algorithm;
        const std::unique_ptr<Botan::PK_Signer> signer(Botan::choose_sig_format(
            signing_key, rng, botan_hash_name(tmpl.signature_hash), signature_algorithm));
        const Botan::X509_Certificate cert = Botan::X509_CA::make_cert(
            signer.get(), rng, Botan::BigInt(tmpl.serial.data(), tmpl.serial.size()),
            signature_algorithm, Botan::X509::BER_encode(subject), to_time(tmpl.not_before),
            to_time(tmpl.not_after), issuer_dn, subject_dn, extensions);
        return cert.BER_encode();
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("signing the certificate with {} failed: Botan: {}",
                                      to_string(tmpl.signature_hash), e.what()));
    }
}

} // namespace

void add_subject_alt_names(Botan::Extensions& extensions, const std::vector<SubjectAltName>& sans,
                           bool critical) {
    add<EncodedExtension>(extensions, critical, Botan::OID::from_string("2.5.29.17"),
                          std::string("X509v3.SubjectAlternativeName"), general_names(sans));
}

std::vector<uint8_t> key_identifier(const std::vector<uint8_t>& public_key_bits) {
    const auto sha1 = Botan::HashFunction::create_or_throw("SHA-160");
    return Botan::unlock(sha1->process(public_key_bits));
}

std::vector<uint8_t> subject_key_id_of(const Botan::X509_Certificate& cert) {
    return cert.subject_key_id().empty() ? cert.subject_public_key_bitstring_sha1()
                                         : cert.subject_key_id();
}

Botan::X509_Time to_time(UnixTime when) {
    return Botan::X509_Time(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(when)));
}

LoadedCa load_ca(const CaCredentials& issuer) {
    LoadedCa loaded{load_private_key(issuer.key),
                    load_certificate(issuer.certificate_der, "CA certificate")};
    if (loaded.key->public_key_bits() != loaded.certificate.subject_public_key_bitstring()) {
        throw InputError("the CA key does not belong to the CA certificate");
    }
    return loaded;
}

Bytes sign_certificate(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                       const PrivateKey& subject_key, const LoadedCa* issuer) {
    const auto subject = load_private_key(subject_key);
    return write(rng, tmpl, *subject, subject.get(), issuer);
}

Bytes sign_public_key(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
                      ByteView public_key_info, const LoadedCa& issuer) {
    std::unique_ptr<Botan::Public_Key> subject;
    try {
        subject.reset(Botan::X509::load_key(
            std::vector<uint8_t>(public_key_info.begin(), public_key_info.end())));
    } catch (const Botan::Exception& e) {
        throw InputError(fmt::format("the public key cannot be read: Botan: {}", e.what()));
    }
    return write(rng, tmpl, *subject, nullptr, &issuer);
}

} // namespace certforge::botan
