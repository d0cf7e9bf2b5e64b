// SPDX-License-Identifier: Apache-2.0
#include "certforge/oids.hpp"

#include "certforge/cert_info.hpp"

#include <array>

namespace certforge {
namespace {

constexpr std::array<SignatureAlgorithmInfo, 15> kSignatureAlgorithms{{
    {"1.2.840.113549.1.1.4", "md5WithRSAEncryption", HashAlgorithm::md5, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.5", "sha1WithRSAEncryption", HashAlgorithm::sha1, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.14", "sha224WithRSAEncryption", HashAlgorithm::sha224, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.11", "sha256WithRSAEncryption", HashAlgorithm::sha256, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.12", "sha384WithRSAEncryption", HashAlgorithm::sha384, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.13", "sha512WithRSAEncryption", HashAlgorithm::sha512, KeyAlgorithm::rsa},
    {"1.2.840.113549.1.1.10", "rsassaPss", HashAlgorithm::unknown, KeyAlgorithm::rsa},
    {"1.2.840.10045.4.1", "ecdsa-with-SHA1", HashAlgorithm::sha1, KeyAlgorithm::ec},
    {"1.2.840.10045.4.3.1", "ecdsa-with-SHA224", HashAlgorithm::sha224, KeyAlgorithm::ec},
    {"1.2.840.10045.4.3.2", "ecdsa-with-SHA256", HashAlgorithm::sha256, KeyAlgorithm::ec},
    {"1.2.840.10045.4.3.3", "ecdsa-with-SHA384", HashAlgorithm::sha384, KeyAlgorithm::ec},
    {"1.2.840.10045.4.3.4", "ecdsa-with-SHA512", HashAlgorithm::sha512, KeyAlgorithm::ec},
    {"1.2.840.10040.4.3", "dsaWithSHA1", HashAlgorithm::sha1, KeyAlgorithm::dsa},
    {"1.3.101.112", "ED25519", HashAlgorithm::unknown, KeyAlgorithm::ed25519},
    {"1.3.101.113", "ED448", HashAlgorithm::unknown, KeyAlgorithm::ed448},
}};

struct DnAttributeName {
    std::string_view oid;
    std::string_view name;
};

constexpr std::array<DnAttributeName, 13> kDnAttributes{{
    {"2.5.4.3", "CN"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.9", "street"},
    {"2.5.4.4", "SN"},
    {"2.5.4.42", "GN"},
    {"2.5.4.12", "title"},
    {"1.2.840.113549.1.9.1", "emailAddress"},
    {"0.9.2342.19200300.100.1.25", "DC"},
}};

} // namespace

const SignatureAlgorithmInfo* signature_algorithm_by_oid(std::string_view oid) {
    for (const auto& info : kSignatureAlgorithms) {
        if (info.oid == oid) {
            return &info;
        }
    }
    return nullptr;
}

namespace {

template <class Info> void apply_signature_algorithm(Info& info, std::string_view oid) {
    if (const auto* known = signature_algorithm_by_oid(oid)) {
        info.signature_algorithm = known->name;
        info.signature_hash = known->hash;
        info.signature_key_algorithm = known->key;
    } else {
        info.signature_algorithm = oid;
        info.signature_hash = HashAlgorithm::unknown;
        info.signature_key_algorithm = KeyAlgorithm::unknown;
    }
}

} // namespace

void set_signature_algorithm(CsrInfo& info, std::string_view oid) {
    apply_signature_algorithm(info, oid);
}

void set_signature_algorithm(CertInfo& info, std::string_view oid) {
    apply_signature_algorithm(info, oid);
}

std::string dn_attribute_name(std::string_view oid) {
    for (const auto& attribute : kDnAttributes) {
        if (attribute.oid == oid) {
            return std::string(attribute.name);
        }
    }
    return std::string(oid);
}

std::string_view dn_attribute_oid(std::string_view name) {
    for (const auto& attribute : kDnAttributes) {
        if (attribute.name == name) {
            return attribute.oid;
        }
    }
    return {};
}

} // namespace certforge
