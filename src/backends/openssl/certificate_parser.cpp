// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/general_names.hpp"
#include "certforge/oids.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"

#include <ctime>
#include <fmt/format.h>
#include <unordered_set>

namespace certforge::openssl {
namespace {

std::string dotted_oid(const ASN1_OBJECT* object) {
    char buffer[128];
    OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return buffer;
}

ByteView content_of(const ASN1_STRING* string) {
    return {ASN1_STRING_get0_data(string), static_cast<std::size_t>(ASN1_STRING_length(string))};
}

// Each attribute's text through dn_text, from the string type and content
// bytes as encoded (not OpenSSL's own conversion).
DistinguishedName read_name(const X509_NAME* name, NamePolicy policy, std::string_view source,
                            std::string_view whose) {
    DistinguishedName dn;
    const int count = X509_NAME_entry_count(name);
    for (int i = 0; i < count; ++i) {
        const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(entry);
        dn.attributes.push_back(read_dn_attribute(dotted_oid(X509_NAME_ENTRY_get_object(entry)),
                                                  ASN1_STRING_type(data), content_of(data), policy,
                                                  source, whose));
    }
    return dn;
}

UnixTime read_time(const ASN1_TIME* time, std::string_view source) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(time, &tm) != 1) {
        drain_error_queue();
        throw InputError(fmt::format("{}: invalid validity time", source));
    }
    return to_unix_time(
        {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec});
}

KeyAlgorithm key_algorithm_of(int nid) {
    switch (nid) {
    case NID_rsaEncryption:
    case NID_rsassaPss:
        return KeyAlgorithm::rsa;
    case NID_X9_62_id_ecPublicKey:
        return KeyAlgorithm::ec;
    case NID_dsa:
        return KeyAlgorithm::dsa;
    case NID_ED25519:
        return KeyAlgorithm::ed25519;
    case NID_ED448:
        return KeyAlgorithm::ed448;
    default:
        return KeyAlgorithm::unknown;
    }
}

// The decoded first occurrence of an extension, or null when absent. Throws
// when it cannot be decoded. (RFC 5280 forbids repeated extensions: the
// verifier reports them from CertInfo::duplicate_extensions.)
template <class T>
std::unique_ptr<T, void (*)(T*)> extension(X509* cert, int nid, void (*free)(T*), bool& critical,
                                           std::string_view source) {
    int crit = -1;
    int index = -1;
    T* value = static_cast<T*>(X509_get_ext_d2i(cert, nid, &crit, &index));
    if (value == nullptr && crit >= 0) {
        drain_error_queue();
        throw InputError(
            fmt::format("{}: the {} extension cannot be decoded", source, OBJ_nid2sn(nid)));
    }
    critical = crit == 1;
    return {value, free};
}

void free_bit_string(ASN1_BIT_STRING* p) {
    ASN1_BIT_STRING_free(p);
}
void free_octet_string(ASN1_OCTET_STRING* p) {
    ASN1_OCTET_STRING_free(p);
}
void free_basic_constraints(BASIC_CONSTRAINTS* p) {
    BASIC_CONSTRAINTS_free(p);
}
void free_eku(EXTENDED_KEY_USAGE* p) {
    EXTENDED_KEY_USAGE_free(p);
}
void free_akid(AUTHORITY_KEYID* p) {
    AUTHORITY_KEYID_free(p);
}

void find_duplicate_extensions(const X509* cert, CertInfo& info) {
    std::unordered_set<std::string> seen;
    std::unordered_set<std::string> repeated;
    for (int i = 0; i < X509_get_ext_count(cert); ++i) {
        std::string oid = dotted_oid(X509_EXTENSION_get_object(X509_get_ext(cert, i)));
        if (!seen.insert(oid).second && repeated.insert(oid).second) {
            info.duplicate_extensions.push_back(std::move(oid));
        }
    }
}

void read_extensions(X509* cert, CertInfo& info, std::string_view source) {
    find_duplicate_extensions(cert, info);
    bool critical = false;
    if (auto bc =
            extension(cert, NID_basic_constraints, free_basic_constraints, critical, source)) {
        BasicConstraints value{bc->ca != 0, std::nullopt, critical};
        if (bc->pathlen != nullptr) {
            value.path_length = static_cast<unsigned>(ASN1_INTEGER_get(bc->pathlen));
        }
        info.basic_constraints = value;
    }
    if (auto ku = extension(cert, NID_key_usage, free_bit_string, critical, source)) {
        KeyUsageSet bits = 0;
        for (unsigned bit = 0; bit < kKeyUsageBitCount; ++bit) {
            if (ASN1_BIT_STRING_get_bit(ku.get(), static_cast<int>(bit))) {
                bits |= key_usage_flag(static_cast<KeyUsageBit>(bit));
            }
        }
        info.key_usage = KeyUsageExtension{bits, critical};
    }
    if (auto eku = extension(cert, NID_ext_key_usage, free_eku, critical, source)) {
        ExtendedKeyUsageExtension value{{}, critical};
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
            value.oids.push_back(dotted_oid(sk_ASN1_OBJECT_value(eku.get(), i)));
        }
        info.extended_key_usage = value;
    }
    if (const int index = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1); index >= 0) {
        X509_EXTENSION* san = X509_get_ext(cert, index);
        GeneralNames names = read_general_names(content_of(X509_EXTENSION_get_data(san)),
                                                NamePolicy::certificate, source);
        info.has_subject_alt_name = true;
        info.subject_alt_name_critical = X509_EXTENSION_get_critical(san) == 1;
        info.subject_alt_names = std::move(names.names);
        info.other_subject_alt_names = names.others;
    }
    if (auto ski =
            extension(cert, NID_subject_key_identifier, free_octet_string, critical, source)) {
        info.subject_key_id.assign(ski->data, ski->data + ski->length);
    }
    if (auto akid = extension(cert, NID_authority_key_identifier, free_akid, critical, source)) {
        if (akid->keyid != nullptr) {
            info.authority_key_id.assign(akid->keyid->data,
                                         akid->keyid->data + akid->keyid->length);
        }
    }
}

void read_public_key(X509* cert, CertInfo& info, std::string_view source) {
    ASN1_OBJECT* algorithm = nullptr;
    if (X509_PUBKEY_get0_param(&algorithm, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert)) !=
        1) {
        throw InputError(fmt::format("{}: the public key cannot be decoded", source));
    }
    info.key_algorithm = key_algorithm_of(OBJ_obj2nid(algorithm));
    if (set_fixed_key_bits(info)) {
        return;
    }
    const EVP_PKEY* pkey = X509_get0_pubkey(cert);
    if (pkey == nullptr) {
        drain_error_queue();
        throw InputError(fmt::format("{}: the public key cannot be decoded", source));
    }
    info.key_bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey));
    if (info.key_algorithm == KeyAlgorithm::ec) {
        char group[80] = {};
        std::size_t length = 0;
        if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &length) == 1) {
            info.key_curve.assign(group, length);
        }
    }
}

} // namespace

void read_general_names(const GENERAL_NAMES* names, std::vector<SubjectAltName>& out,
                        unsigned& others) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            // The certificate policy never throws for a dNSName; the CSR reader
            // checks them under the request policy before it gets here.
            out.push_back({SanType::dns, read_dns_name(content_of(name->d.dNSName),
                                                       NamePolicy::certificate, "")});
        } else if (name->type == GEN_IPADD) {
            const std::string text = format_ip_address(content_of(name->d.iPAddress));
            if (text.empty()) {
                ++others;
            } else {
                out.push_back({SanType::ip, text});
            }
        } else {
            ++others;
        }
    }
}

// The subject of a request, read under the request policy (dn_text.hpp).
DistinguishedName read_x509_name(const X509_NAME* name, std::string_view source) {
    return read_name(name, NamePolicy::request, source, "subject");
}

CertInfo parse_certificate(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source) {
    ERR_clear_error();
    check_names_before_decoding(der, NamePolicy::certificate, source);
    const X509Ptr cert = load_certificate(ctx, der, source);
    CertInfo info;
    info.der.assign(der.begin(), der.end());
    info.version = static_cast<int>(X509_get_version(cert.get())) + 1;

    const BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
    check(serial != nullptr, fmt::format("{}: cannot read the serial number", source));
    info.serial_negative = BN_is_negative(serial.get()) != 0;
    info.serial.resize(static_cast<std::size_t>(BN_num_bytes(serial.get())));
    BN_bn2bin(serial.get(), info.serial.data());

    info.subject =
        read_name(X509_get_subject_name(cert.get()), NamePolicy::certificate, source, "subject");
    info.issuer =
        read_name(X509_get_issuer_name(cert.get()), NamePolicy::certificate, source, "issuer");
    info.not_before = read_time(X509_get0_notBefore(cert.get()), source);
    info.not_after = read_time(X509_get0_notAfter(cert.get()), source);

    const X509_ALGOR* signature_algorithm = nullptr;
    X509_get0_signature(nullptr, &signature_algorithm, cert.get());
    const ASN1_OBJECT* signature_oid = nullptr;
    X509_ALGOR_get0(&signature_oid, nullptr, nullptr, signature_algorithm);
    set_signature_algorithm(info, dotted_oid(signature_oid));

    read_public_key(cert.get(), info, source);
    read_extensions(cert.get(), info, source);
    info.sha256_fingerprint = digest(ctx, "SHA256", der);
    ERR_clear_error();
    return info;
}

} // namespace certforge::openssl
