#include "botan_backend.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/oids.hpp"

#include <botan/ber_dec.h>
#include <botan/ecc_key.h>
#include <botan/hash.h>
#include <botan/pkcs10.h>
#include <botan/x509_ext.h>
#include <fmt/format.h>

namespace certforge::botan {
namespace {

// Each attribute's text through dn_text, from the string type and content
// bytes as encoded (Botan 2 copies the bytes of 8-bit string types as they
// are, whatever they hold). get_bits() is the content of the Name SEQUENCE.
DistinguishedName read_dn(const Botan::X509_DN& dn, NamePolicy policy, std::string_view source,
                          std::string_view whose) {
    DistinguishedName out;
    Botan::BER_Decoder rdns(dn.get_bits());
    while (rdns.more_items()) {
        Botan::BER_Decoder rdn = rdns.start_cons(Botan::SET);
        while (rdn.more_items()) {
            Botan::OID oid;
            Botan::BER_Decoder attribute = rdn.start_cons(Botan::SEQUENCE);
            attribute.decode(oid);
            const Botan::BER_Object value = attribute.get_next_object();
            attribute.verify_end();
            const int tag =
                value.get_class() == Botan::UNIVERSAL ? static_cast<int>(value.type()) : -1;
            out.attributes.push_back(read_dn_attribute(oid.to_string(), tag,
                                                       ByteView(value.bits(), value.length()),
                                                       policy, source, whose));
        }
    }
    return out;
}

// OpenSSL's names for the curves devices use, so both backends agree.
std::string curve_name(const Botan::OID& oid) {
    const std::string dotted = oid.to_string();
    if (dotted == "1.2.840.10045.3.1.7") {
        return "prime256v1";
    }
    if (dotted == "1.3.132.0.34") {
        return "secp384r1";
    }
    if (dotted == "1.3.132.0.35") {
        return "secp521r1";
    }
    return dotted;
}

KeyUsageSet key_usage_bits(Botan::Key_Constraints constraints) {
    KeyUsageSet bits = 0;
    const unsigned value = static_cast<unsigned>(constraints);
    for (unsigned bit = 0; bit < kKeyUsageBitCount; ++bit) {
        if (value & (1u << (15 - bit))) {
            bits |= key_usage_flag(static_cast<KeyUsageBit>(bit));
        }
    }
    return bits;
}

void read_subject_alt_names(const std::vector<uint8_t>& contents, CertInfo& info, NamePolicy policy,
                            std::string_view source) {
    Botan::BER_Decoder decoder(contents);
    Botan::BER_Decoder names = decoder.start_cons(Botan::SEQUENCE);
    while (names.more_items()) {
        const Botan::BER_Object name = names.get_next_object();
        if (name.is_a(2, Botan::CONTEXT_SPECIFIC)) {
            info.subject_alt_names.push_back(
                {SanType::dns,
                 read_dns_name(ByteView(name.bits(), name.length()), policy, source)});
        } else if (name.is_a(7, Botan::CONTEXT_SPECIFIC) &&
                   !format_ip_address(ByteView(name.bits(), name.length())).empty()) {
            info.subject_alt_names.push_back(
                {SanType::ip, format_ip_address(ByteView(name.bits(), name.length()))});
        } else {
            ++info.other_subject_alt_names;
        }
    }
    names.verify_end();
}

void read_extensions(const Botan::X509_Certificate& cert, CertInfo& info, std::string_view source) {
    namespace ext = Botan::Cert_Extension;
    const Botan::Extensions& extensions = cert.v3_extensions();
    auto critical = [&](const char* oid) {
        return extensions.critical_extension_set(Botan::OID::from_string(oid));
    };
    if (const auto* bc = extensions.get_extension_object_as<ext::Basic_Constraints>()) {
        BasicConstraints value{bc->get_is_ca(), std::nullopt, critical("2.5.29.19")};
        if (bc->get_is_ca() && bc->get_path_limit() != ext::NO_CERT_PATH_LIMIT) {
            value.path_length = static_cast<unsigned>(bc->get_path_limit());
        }
        info.basic_constraints = value;
    }
    if (const auto* ku = extensions.get_extension_object_as<ext::Key_Usage>()) {
        info.key_usage =
            KeyUsageExtension{key_usage_bits(ku->get_constraints()), critical("2.5.29.15")};
    }
    if (const auto* eku = extensions.get_extension_object_as<ext::Extended_Key_Usage>()) {
        ExtendedKeyUsageExtension value{{}, critical("2.5.29.37")};
        for (const auto& oid : eku->get_oids()) {
            value.oids.push_back(oid.to_string());
        }
        info.extended_key_usage = value;
    }
    const auto raw = extensions.extensions_raw();
    if (const auto san = raw.find(Botan::OID::from_string("2.5.29.17")); san != raw.end()) {
        info.has_subject_alt_name = true;
        info.subject_alt_name_critical = san->second.second;
        read_subject_alt_names(san->second.first, info, NamePolicy::certificate, source);
    }
    if (const auto* ski = extensions.get_extension_object_as<ext::Subject_Key_ID>()) {
        info.subject_key_id = ski->get_key_id();
    }
    if (const auto* aki = extensions.get_extension_object_as<ext::Authority_Key_ID>()) {
        info.authority_key_id = aki->get_key_id();
    }
}

void read_public_key(const Botan::X509_Certificate& cert, CertInfo& info) {
    const std::unique_ptr<Botan::Public_Key> key = cert.load_subject_public_key();
    const std::string algorithm = key->algo_name();
    info.key_bits = static_cast<unsigned>(key->key_length());
    if (algorithm == "RSA") {
        info.key_algorithm = KeyAlgorithm::rsa;
    } else if (algorithm == "ECDSA") {
        info.key_algorithm = KeyAlgorithm::ec;
        if (const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(key.get())) {
            info.key_curve = curve_name(ec->domain().get_curve_oid());
        }
    } else if (algorithm == "DSA") {
        info.key_algorithm = KeyAlgorithm::dsa;
    } else if (algorithm == "Ed25519") {
        info.key_algorithm = KeyAlgorithm::ed25519;
    }
}

} // namespace

CsrInfo read_csr(ByteView der, std::string_view source) {
    check_names_before_decoding(der, NamePolicy::request, source);
    std::optional<Botan::PKCS10_Request> request;
    try {
        if (der.empty()) {
            throw Botan::Decoding_Error("no data");
        }
        request.emplace(std::vector<uint8_t>(der.begin(), der.end()));
    } catch (const Botan::Exception& e) {
        // Botan 2 checks the self-signature while decoding a request.
        if (std::string_view(e.what()).find("Bad signature") != std::string_view::npos) {
            throw InputError(fmt::format("{}: the request's signature does not verify: it is "
                                         "damaged or was not signed by its own key",
                                         source));
        }
        throw InputError(
            fmt::format("{}: not a PKCS#10 certificate request (Botan: {})", source, e.what()));
    }
    try {
        CsrInfo info;
        info.der.assign(der.begin(), der.end());
        info.subject = read_dn(request->subject_dn(), NamePolicy::request, source, "subject");
        set_signature_algorithm(info, request->signature_algorithm().get_oid().to_string());
        const std::unique_ptr<Botan::Public_Key> key(request->subject_public_key());
        info.key_algorithm = key->algo_name() == "RSA"     ? KeyAlgorithm::rsa
                             : key->algo_name() == "ECDSA" ? KeyAlgorithm::ec
                                                           : KeyAlgorithm::unknown;
        info.key_bits = static_cast<unsigned>(key->key_length());
        info.public_key_info = key->subject_public_key();
        info.signature_valid = request->check_signature(*key);
        const auto raw = request->extensions().extensions_raw();
        if (const auto san = raw.find(Botan::OID::from_string("2.5.29.17")); san != raw.end()) {
            CertInfo names;
            read_subject_alt_names(san->second.first, names, NamePolicy::request, source);
            info.subject_alt_names = names.subject_alt_names;
            info.other_subject_alt_names = names.other_subject_alt_names;
        }
        return info;
    } catch (const Botan::Exception& e) {
        throw InputError(
            fmt::format("{}: the request cannot be read (Botan: {})", source, e.what()));
    }
}

CertInfo read_certificate(ByteView der, std::string_view source) {
    check_names_before_decoding(der, NamePolicy::certificate, source);
    const Botan::X509_Certificate cert = load_certificate(der, source);
    try {
        CertInfo info;
        info.der.assign(der.begin(), der.end());
        info.version = static_cast<int>(cert.x509_version());
        const auto& serial = cert.serial_number();
        auto first = std::find_if(serial.begin(), serial.end(), [](uint8_t b) { return b != 0; });
        info.serial.assign(first, serial.end());
        info.serial_negative = cert.is_serial_negative();
        info.subject = read_dn(cert.subject_dn(), NamePolicy::certificate, source, "subject");
        info.issuer = read_dn(cert.issuer_dn(), NamePolicy::certificate, source, "issuer");
        info.not_before = static_cast<UnixTime>(cert.not_before().time_since_epoch());
        info.not_after = static_cast<UnixTime>(cert.not_after().time_since_epoch());

        set_signature_algorithm(info, cert.signature_algorithm().get_oid().to_string());
        read_public_key(cert, info);
        read_extensions(cert, info, source);
        const auto sha256 = Botan::HashFunction::create_or_throw("SHA-256");
        info.sha256_fingerprint = Botan::unlock(sha256->process(der.data(), der.size()));
        return info;
    } catch (const Botan::Exception& e) {
        throw InputError(
            fmt::format("{}: the certificate cannot be read (Botan: {})", source, e.what()));
    }
}

} // namespace certforge::botan
