// SPDX-License-Identifier: Apache-2.0
#include "botan_backend.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/general_names.hpp"
#include "certforge/oids.hpp"

#include <botan/ber_dec.h>
#include <botan/data_src.h>
#include <botan/ecc_key.h>
#include <botan/hash.h>
#include <botan/pk_algs.h>
#include <botan/pkcs10.h>
#include <cstdio>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

namespace certforge::botan {

// Each attribute's text through dn_text, from the string type and content
// bytes as encoded (Botan 2 copies the bytes of 8-bit string types as they
// are, whatever they hold). get_bits() is the content of the Name SEQUENCE.
DistinguishedName read_x509_dn(const Botan::X509_DN& dn, NamePolicy policy, std::string_view source,
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

namespace {

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

// Seconds since the epoch. X509_Time::time_since_epoch() refuses years
// before 1970; readable_string() is "YYYY/MM/DD hh:mm:ss UTC".
UnixTime unix_time(const Botan::X509_Time& time) {
    UtcFields utc;
    if (std::sscanf(time.readable_string().c_str(), "%d/%d/%d %d:%d:%d", &utc.year, &utc.month,
                    &utc.day, &utc.hour, &utc.minute, &utc.second) != 6) {
        throw Botan::Decoding_Error("unexpected time text " + time.readable_string());
    }
    return to_unix_time(utc);
}

KeyAlgorithm key_algorithm_of(const Botan::OID& oid) {
    const std::string dotted = oid.to_string();
    if (dotted == "1.2.840.113549.1.1.1" || dotted == "1.2.840.113549.1.1.10") {
        return KeyAlgorithm::rsa;
    }
    if (dotted == "1.2.840.10045.2.1") {
        return KeyAlgorithm::ec;
    }
    if (dotted == "1.2.840.10040.4.1") {
        return KeyAlgorithm::dsa;
    }
    if (dotted == "1.3.101.112") {
        return KeyAlgorithm::ed25519;
    }
    if (dotted == "1.3.101.113") {
        return KeyAlgorithm::ed448;
    }
    return KeyAlgorithm::unknown;
}

void read_public_key(const DecodedCertificate& cert, CertInfo& info, std::string_view source) {
    info.key_algorithm = key_algorithm_of(cert.public_key_algorithm.get_oid());
    if (set_fixed_key_bits(info)) {
        return;
    }
    std::unique_ptr<Botan::Public_Key> key;
    try {
        key = Botan::load_public_key(cert.public_key_algorithm, cert.public_key_bits);
    } catch (const Botan::Exception&) {
        throw InputError(fmt::format("{}: the public key cannot be decoded", source));
    }
    info.key_bits = static_cast<unsigned>(key->key_length());
    if (const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(key.get())) {
        info.key_curve = curve_name(ec->domain().get_curve_oid());
    }
}

// Decodes one extension's value with `decode`; the same InputError as the
// OpenSSL backend's when it does not decode.
template <class Decode>
void decode_extension(const RawExtension& extension, std::string_view name, std::string_view source,
                      Decode decode) {
    try {
        Botan::BER_Decoder decoder(extension.value);
        decode(decoder);
        decoder.verify_end();
    } catch (const Botan::Exception&) {
        throw InputError(fmt::format("{}: the {} extension cannot be decoded", source, name));
    }
}

// The keyUsage bits of a BIT STRING, bit 0 first; unused bits read as 0, as
// OpenSSL reads them.
KeyUsageSet key_usage_bits(const Botan::BER_Object& bits) {
    bits.assert_is_a(Botan::BIT_STRING, Botan::UNIVERSAL);
    if (bits.length() == 0 || bits.bits()[0] > 7) {
        throw Botan::Decoding_Error("bad BIT STRING");
    }
    const unsigned unused = bits.bits()[0];
    const uint8_t* data = bits.bits() + 1;
    const std::size_t size = bits.length() - 1;
    KeyUsageSet out = 0;
    for (unsigned bit = 0; bit < kKeyUsageBitCount && bit / 8 < size; ++bit) {
        uint8_t byte = data[bit / 8];
        if (bit / 8 + 1 == size) {
            byte = static_cast<uint8_t>(byte & (0xff << unused));
        }
        if (byte & (0x80 >> (bit % 8))) {
            out |= key_usage_flag(static_cast<KeyUsageBit>(bit));
        }
    }
    return out;
}

constexpr std::size_t kNoPathLength = static_cast<std::size_t>(-1);

// The extensions certforge reads, each from its first occurrence, in the
// OpenSSL backend's order, so that both backends name the same extension
// when two cannot be decoded.
void read_extensions(const DecodedCertificate& cert, CertInfo& info, std::string_view source) {
    std::unordered_map<std::string, const RawExtension*> first;
    std::unordered_set<std::string> repeated;
    for (const auto& extension : cert.extensions) {
        std::string oid = extension.oid.to_string();
        if (first.emplace(oid, &extension).second) {
            continue;
        }
        if (repeated.insert(oid).second) {
            info.duplicate_extensions.push_back(std::move(oid));
        }
    }
    const auto find = [&](const char* oid) -> const RawExtension* {
        const auto found = first.find(oid);
        return found == first.end() ? nullptr : found->second;
    };
    if (const auto* bc = find("2.5.29.19")) {
        decode_extension(*bc, "basicConstraints", source, [&](Botan::BER_Decoder& decoder) {
            bool ca = false;
            std::size_t path_length = kNoPathLength;
            decoder.start_cons(Botan::SEQUENCE)
                .decode_optional(ca, Botan::BOOLEAN, Botan::UNIVERSAL, false)
                .decode_optional(path_length, Botan::INTEGER, Botan::UNIVERSAL, kNoPathLength)
                .end_cons();
            BasicConstraints value{ca, std::nullopt, bc->critical};
            if (path_length != kNoPathLength) {
                value.path_length = static_cast<unsigned>(path_length);
            }
            info.basic_constraints = value;
        });
    }
    if (const auto* ku = find("2.5.29.15")) {
        decode_extension(*ku, "keyUsage", source, [&](Botan::BER_Decoder& decoder) {
            info.key_usage =
                KeyUsageExtension{key_usage_bits(decoder.get_next_object()), ku->critical};
        });
    }
    if (const auto* eku = find("2.5.29.37")) {
        decode_extension(*eku, "extendedKeyUsage", source, [&](Botan::BER_Decoder& decoder) {
            std::vector<Botan::OID> oids;
            decoder.decode_list(oids);
            ExtendedKeyUsageExtension value{{}, eku->critical};
            for (const auto& oid : oids) {
                value.oids.push_back(oid.to_string());
            }
            info.extended_key_usage = value;
        });
    }
    if (const auto* san = find("2.5.29.17")) {
        GeneralNames names = read_general_names(san->value, NamePolicy::certificate, source);
        info.has_subject_alt_name = true;
        info.subject_alt_name_critical = san->critical;
        info.subject_alt_names = std::move(names.names);
        info.other_subject_alt_names = names.others;
    }
    if (const auto* ski = find("2.5.29.14")) {
        decode_extension(*ski, "subjectKeyIdentifier", source, [&](Botan::BER_Decoder& decoder) {
            decoder.decode(info.subject_key_id, Botan::OCTET_STRING);
        });
    }
    if (const auto* aki = find("2.5.29.35")) {
        decode_extension(*aki, "authorityKeyIdentifier", source, [&](Botan::BER_Decoder& decoder) {
            Botan::BER_Decoder fields = decoder.start_cons(Botan::SEQUENCE);
            fields.decode_optional_string(info.authority_key_id, Botan::OCTET_STRING, 0);
            fields.discard_remaining().end_cons();
        });
    }
}

void decode_tbs(DecodedCertificate& cert) {
    Botan::BER_Decoder tbs(cert.signed_data.signed_body());
    tbs.decode_optional(cert.version, Botan::ASN1_Tag(0),
                        Botan::ASN1_Tag(Botan::CONSTRUCTED | Botan::CONTEXT_SPECIFIC));
    cert.version += 1;
    tbs.decode(cert.serial)
        .decode(cert.tbs_signature_algorithm)
        .decode(cert.issuer)
        .start_cons(Botan::SEQUENCE)
        .decode(cert.not_before)
        .decode(cert.not_after)
        .end_cons()
        .decode(cert.subject)
        .start_cons(Botan::SEQUENCE)
        .decode(cert.public_key_algorithm)
        .decode(cert.public_key_bits, Botan::BIT_STRING)
        .end_cons();
    std::vector<uint8_t> unique_id;
    tbs.decode_optional_string(unique_id, Botan::BIT_STRING, 1);
    tbs.decode_optional_string(unique_id, Botan::BIT_STRING, 2);
    Botan::BER_Object next = tbs.get_next_object();
    if (next.is_a(3, Botan::ASN1_Tag(Botan::CONSTRUCTED | Botan::CONTEXT_SPECIFIC))) {
        Botan::BER_Decoder wrapper(next);
        Botan::BER_Decoder list = wrapper.start_cons(Botan::SEQUENCE);
        while (list.more_items()) {
            RawExtension extension;
            list.start_cons(Botan::SEQUENCE)
                .decode(extension.oid)
                .decode_optional(extension.critical, Botan::BOOLEAN, Botan::UNIVERSAL, false)
                .decode(extension.value, Botan::OCTET_STRING)
                .end_cons();
            cert.extensions.push_back(std::move(extension));
        }
        list.end_cons();
        wrapper.verify_end();
        next = tbs.get_next_object();
    }
    if (next.is_set()) {
        throw Botan::Decoding_Error("unexpected data after the extensions");
    }
    tbs.verify_end();
}

} // namespace

DecodedCertificate decode_certificate(ByteView der, std::string_view source) {
    DecodedCertificate cert;
    std::size_t consumed = 0;
    try {
        if (der.empty()) {
            throw Botan::Decoding_Error("no data");
        }
        Botan::DataSource_Memory input(der.data(), der.size());
        Botan::BER_Decoder outer(input);
        cert.signed_data.decode_from(outer);
        consumed = input.get_bytes_read();
        decode_tbs(cert);
    } catch (const Botan::Exception& e) {
        throw InputError(
            fmt::format("{}: not a valid X.509 certificate (Botan: {})", source, e.what()));
    }
    if (consumed < der.size()) {
        throw InputError(fmt::format("{}: {} bytes of trailing data after the certificate", source,
                                     der.size() - consumed));
    }
    return cert;
}

CertInfo parse_certificate(ByteView der, std::string_view source) {
    check_names_before_decoding(der, NamePolicy::certificate, source);
    const DecodedCertificate cert = decode_certificate(der, source);
    try {
        CertInfo info;
        info.der.assign(der.begin(), der.end());
        info.version = static_cast<int>(cert.version);
        info.serial.resize(cert.serial.bytes());
        cert.serial.binary_encode(info.serial.data(), info.serial.size());
        info.serial_negative = cert.serial.is_negative();
        info.subject = read_x509_dn(cert.subject, NamePolicy::certificate, source, "subject");
        info.issuer = read_x509_dn(cert.issuer, NamePolicy::certificate, source, "issuer");
        info.not_before = unix_time(cert.not_before);
        info.not_after = unix_time(cert.not_after);

        set_signature_algorithm(info, cert.signed_data.signature_algorithm().get_oid().to_string());
        read_public_key(cert, info, source);
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
