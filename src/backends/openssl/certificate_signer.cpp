// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"

#include <fmt/format.h>

namespace certforge::openssl {
namespace {

int asn1_string_type(DnStringType type) {
    switch (type) {
    case DnStringType::printable:
        return V_ASN1_PRINTABLESTRING;
    case DnStringType::ia5:
        return V_ASN1_IA5STRING;
    case DnStringType::bmp:
        return V_ASN1_BMPSTRING;
    default:
        return V_ASN1_UTF8STRING;
    }
}

X509NamePtr make_name(const DistinguishedName& dn) {
    X509NamePtr name(X509_NAME_new());
    check(name != nullptr, "cannot allocate a name");
    for (const auto& attribute : dn.attributes) {
        const int nid = OBJ_txt2nid(attribute.type.c_str());
        if (nid == NID_undef) {
            throw UsageError(fmt::format("unknown DN attribute type '{}'", attribute.type));
        }
        check(X509_NAME_add_entry_by_NID(
                  name.get(), nid, asn1_string_type(attribute.string_type),
                  reinterpret_cast<const unsigned char*>(attribute.value.data()),
                  static_cast<int>(attribute.value.size()), -1, 0) == 1,
              fmt::format("cannot encode {}='{}'", attribute.type, attribute.value));
    }
    return name;
}

template <class T> void add_extension(X509* cert, int nid, T* value, bool critical) {
    check(X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) == 1,
          fmt::format("cannot add the {} extension", OBJ_nid2sn(nid)));
}

void add_basic_constraints(X509* cert, const BasicConstraints& bc) {
    BasicConstraintsPtr value(BASIC_CONSTRAINTS_new());
    check(value != nullptr, "cannot allocate basicConstraints");
    value->ca = bc.ca ? 0xff : 0;
    if (bc.ca && bc.path_length) {
        value->pathlen = ASN1_INTEGER_new();
        check(value->pathlen != nullptr &&
                  ASN1_INTEGER_set(value->pathlen, static_cast<long>(*bc.path_length)) == 1,
              "cannot encode the path length");
    }
    add_extension(cert, NID_basic_constraints, value.get(), bc.critical);
}

void add_key_usage(X509* cert, const KeyUsageExtension& ku) {
    Asn1BitStringPtr bits(ASN1_BIT_STRING_new());
    check(bits != nullptr, "cannot allocate keyUsage");
    for (unsigned bit = 0; bit < kKeyUsageBitCount; ++bit) {
        if (ku.bits & key_usage_flag(static_cast<KeyUsageBit>(bit))) {
            check(ASN1_BIT_STRING_set_bit(bits.get(), static_cast<int>(bit), 1) == 1,
                  "cannot encode keyUsage");
        }
    }
    add_extension(cert, NID_key_usage, bits.get(), ku.critical);
}

void add_extended_key_usage(X509* cert, const ExtendedKeyUsageExtension& eku) {
    ExtendedKeyUsagePtr usages(sk_ASN1_OBJECT_new_null());
    check(usages != nullptr, "cannot allocate extendedKeyUsage");
    for (const auto& oid : eku.oids) {
        Asn1ObjectPtr object(OBJ_txt2obj(oid.c_str(), 1));
        if (object == nullptr) {
            throw UsageError(fmt::format("'{}' is not an OID", oid));
        }
        check(sk_ASN1_OBJECT_push(usages.get(), object.get()) > 0, "cannot encode an EKU");
        static_cast<void>(object.release());
    }
    add_extension(cert, NID_ext_key_usage, usages.get(), eku.critical);
}

void add_subject_alt_names(X509* cert, const std::vector<SubjectAltName>& sans, bool critical) {
    const GeneralNamesPtr names = make_general_names(sans);
    add_extension(cert, NID_subject_alt_name, names.get(), critical);
}

} // namespace

GeneralNamesPtr make_general_names(const std::vector<SubjectAltName>& sans) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    check(names != nullptr, "cannot allocate subjectAltName");
    for (const auto& san : sans) {
        GeneralNamePtr name(GENERAL_NAME_new());
        check(name != nullptr, "cannot allocate a name");
        if (san.type == SanType::dns) {
            ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
            check(ia5 != nullptr && ASN1_STRING_set(ia5, san.value.data(),
                                                    static_cast<int>(san.value.size())) == 1,
                  "cannot encode a DNS name");
            GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5);
        } else {
            const auto address = parse_ip_address(san.value);
            if (!address) {
                throw InputError(fmt::format("'{}' is not an IP address", san.value));
            }
            GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octet_string(*address).release());
        }
        check(sk_GENERAL_NAME_push(names.get(), name.get()) > 0, "cannot encode a SAN");
        static_cast<void>(name.release());
    }
    return names;
}

X509NamePtr make_x509_name(const DistinguishedName& dn) {
    return make_name(dn);
}

Bytes subject_key_id_of(OSSL_LIB_CTX* ctx, X509* cert) {
    int critical = 0;
    Asn1OctetStringPtr existing(static_cast<ASN1_OCTET_STRING*>(
        X509_get_ext_d2i(cert, NID_subject_key_identifier, &critical, nullptr)));
    if (existing != nullptr) {
        return Bytes(existing->data, existing->data + existing->length);
    }
    return key_identifier(ctx, X509_get_X509_PUBKEY(cert));
}

Asn1OctetStringPtr octet_string(ByteView bytes) {
    Asn1OctetStringPtr out(ASN1_OCTET_STRING_new());
    check(out != nullptr &&
              ASN1_OCTET_STRING_set(out.get(), bytes.data(), static_cast<int>(bytes.size())) == 1,
          "cannot encode an octet string");
    return out;
}

LoadedCa load_ca(OSSL_LIB_CTX* ctx, const CaCredentials& issuer) {
    LoadedCa loaded{load_private_key(ctx, issuer.key),
                    load_certificate(ctx, issuer.certificate_der, "CA certificate")};
    // A token key's EVP_PKEY is a legacy one: compare its public half as a
    // provider key.
    const PkeyPtr token_public =
        issuer.key.external() ? token_public_key(ctx, *issuer.key.external()) : nullptr;
    if (EVP_PKEY_eq(X509_get0_pubkey(loaded.certificate.get()),
                    token_public ? token_public.get() : loaded.key.get()) != 1) {
        drain_error_queue();
        throw InputError("the CA key does not belong to the CA certificate");
    }
    return loaded;
}

MdCtxPtr signing_context(OSSL_LIB_CTX* ctx, EVP_PKEY* key, HashAlgorithm hash,
                         std::string_view what) {
    MdCtxPtr md_ctx(EVP_MD_CTX_new());
    check(md_ctx != nullptr, "cannot allocate a signing context");
    check(EVP_DigestSignInit_ex(md_ctx.get(), nullptr, digest_name(hash), ctx, nullptr, key,
                                nullptr) == 1,
          signing_refused(hash, what));
    return md_ctx;
}

std::string signing_refused(HashAlgorithm hash, std::string_view what) {
    if (is_weak(hash)) {
        return fmt::format("OpenSSL refused to sign with {}; a system crypto policy may forbid "
                           "{} signatures (RHEL 9, Fedora 41 and later do): --backend botan can "
                           "still make them",
                           to_string(hash), to_string(hash));
    }
    return fmt::format("signing the {} with {} failed", what, to_string(hash));
}

void set_time(ASN1_TIME* field, UnixTime when) {
    check(ASN1_TIME_set(field, static_cast<time_t>(when)) != nullptr, "cannot encode a time");
}

namespace {

// `subject_pkey` holds the subject's public key (and, when the certificate
// is self-signed, its private key).
Bytes write(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl, EVP_PKEY* subject_pkey,
            const LoadedCa* issuer) {
    ERR_clear_error();
    EVP_PKEY* issuer_pkey = issuer ? issuer->key.get() : nullptr;
    X509* issuer_cert = issuer ? issuer->certificate.get() : nullptr;

    X509Ptr cert(X509_new_ex(ctx, nullptr));
    check(cert != nullptr, "cannot allocate a certificate");
    check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "cannot set the version");

    BignumPtr serial(BN_bin2bn(tmpl.serial.data(), static_cast<int>(tmpl.serial.size()), nullptr));
    check(serial != nullptr && BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())),
          "cannot encode the serial number");

    const X509NamePtr subject = make_name(tmpl.subject);
    check(X509_set_subject_name(cert.get(), subject.get()) == 1, "cannot set the subject");
    check(X509_set_issuer_name(cert.get(), issuer_cert ? X509_get_subject_name(issuer_cert)
                                                       : subject.get()) == 1,
          "cannot set the issuer");
    set_time(X509_getm_notBefore(cert.get()), tmpl.not_before);
    set_time(X509_getm_notAfter(cert.get()), tmpl.not_after);
    check(X509_set_pubkey(cert.get(), subject_pkey) == 1, "cannot set the public key");

    // Extensions in ascending OID order, as Botan 2 writes them, so that both
    // backends encode the same certificate.
    const Bytes own_key_id = key_identifier(ctx, X509_get_X509_PUBKEY(cert.get()));
    if (tmpl.subject_key_id) {
        const Asn1OctetStringPtr ski = octet_string(own_key_id);
        add_extension(cert.get(), NID_subject_key_identifier, ski.get(), false);
    }
    if (tmpl.key_usage) {
        add_key_usage(cert.get(), *tmpl.key_usage);
    }
    if (!tmpl.subject_alt_names.empty()) {
        add_subject_alt_names(cert.get(), tmpl.subject_alt_names, tmpl.subject.attributes.empty());
    }
    if (tmpl.basic_constraints) {
        add_basic_constraints(cert.get(), *tmpl.basic_constraints);
    }
    if (tmpl.authority_key_id) {
        const Bytes issuer_key_id = issuer_cert ? subject_key_id_of(ctx, issuer_cert) : own_key_id;
        AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
        check(akid != nullptr, "cannot allocate authorityKeyIdentifier");
        akid->keyid = octet_string(issuer_key_id).release();
        add_extension(cert.get(), NID_authority_key_identifier, akid.get(), false);
    }
    if (tmpl.extended_key_usage) {
        add_extended_key_usage(cert.get(), *tmpl.extended_key_usage);
    }

    EVP_PKEY* signer = issuer_pkey ? issuer_pkey : subject_pkey;
    const MdCtxPtr md_ctx = signing_context(ctx, signer, tmpl.signature_hash, "certificate");
    const int signed_length = X509_sign_ctx(cert.get(), md_ctx.get());
    rethrow_token_failure();
    check(signed_length > 0, signing_refused(tmpl.signature_hash, "certificate"));

    return to_der(cert.get(), i2d_X509, "the certificate");
}

} // namespace

Bytes sign_certificate(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl,
                       const PrivateKey& subject_key, const LoadedCa* issuer) {
    const PkeyPtr subject = load_private_key(ctx, subject_key);
    return write(ctx, tmpl, subject.get(), issuer);
}

Bytes sign_public_key(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl, ByteView public_key_info,
                      const LoadedCa& issuer) {
    const PkeyPtr subject = load_public_key(ctx, public_key_info);
    return write(ctx, tmpl, subject.get(), &issuer);
}

} // namespace certforge::openssl
