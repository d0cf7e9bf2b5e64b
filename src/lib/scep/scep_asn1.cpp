// SPDX-License-Identifier: Apache-2.0
#include "scep_asn1.hpp"

#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"

#include <array>
#include <openssl/objects.h>

namespace certforge::openssl {
namespace {

int register_oid(const char* oid, const char* name) {
    const int existing = OBJ_txt2nid(oid);
    if (existing != NID_undef) {
        return existing;
    }
    const int nid = OBJ_create(oid, name, name);
    check(nid != NID_undef, "cannot register a SCEP attribute");
    return nid;
}

// The header of the DER object at `p` (before `end`): its content starts at
// the returned pointer and is `length` long; null when it is not one.
const unsigned char* enter(const unsigned char* p, const unsigned char* end, long& length, int& tag,
                           int& cls) {
    const int flags = ASN1_get_object(&p, &length, &tag, &cls, end - p);
    return (flags & 0x80) != 0 ? nullptr : p;
}

} // namespace

const ScepNids& scep_nids() {
    static const ScepNids nids = [] {
        ScepNids out;
        out.message_type = register_oid("2.16.840.1.113733.1.9.2", "scep-messageType");
        out.pki_status = register_oid("2.16.840.1.113733.1.9.3", "scep-pkiStatus");
        out.fail_info = register_oid("2.16.840.1.113733.1.9.4", "scep-failInfo");
        out.sender_nonce = register_oid("2.16.840.1.113733.1.9.5", "scep-senderNonce");
        out.recipient_nonce = register_oid("2.16.840.1.113733.1.9.6", "scep-recipientNonce");
        out.transaction_id = register_oid("2.16.840.1.113733.1.9.7", "scep-transId");
        return out;
    }();
    return nids;
}

Bytes bio_bytes(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    if (length <= 0 || data == nullptr) {
        return {};
    }
    const auto* begin = reinterpret_cast<const std::uint8_t*>(data);
    return Bytes(begin, begin + length);
}

BioPtr memory_bio() {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr, "cannot make a memory buffer");
    return bio;
}

BioPtr reading_bio(ByteView bytes) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    check(bio != nullptr, "cannot make a memory buffer");
    return bio;
}

Pkcs7Ptr decode_pkcs7(ByteView der) {
    const unsigned char* p = der.data();
    return Pkcs7Ptr(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
}

// The text of a PrintableString (or other string) attribute; nullopt when
// the attribute is missing or not a string.
std::optional<std::string> string_attribute(PKCS7_SIGNER_INFO* signer, int nid) {
    const ASN1_TYPE* value = PKCS7_get_signed_attribute(signer, nid);
    if (value == nullptr || (value->type != V_ASN1_PRINTABLESTRING &&
                             value->type != V_ASN1_UTF8STRING && value->type != V_ASN1_IA5STRING)) {
        return std::nullopt;
    }
    const ASN1_STRING* text = value->value.asn1_string;
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                       static_cast<std::size_t>(ASN1_STRING_length(text)));
}

std::optional<Bytes> octet_attribute(PKCS7_SIGNER_INFO* signer, int nid) {
    const ASN1_TYPE* value = PKCS7_get_signed_attribute(signer, nid);
    if (value == nullptr || value->type != V_ASN1_OCTET_STRING) {
        return std::nullopt;
    }
    const ASN1_STRING* octets = value->value.octet_string;
    const auto* data = ASN1_STRING_get0_data(octets);
    return Bytes(data, data + ASN1_STRING_length(octets));
}

std::optional<ScepMessageType> message_type_of(std::string_view text) {
    for (const ScepMessageType type :
         {ScepMessageType::renewal_req, ScepMessageType::pkcs_req, ScepMessageType::cert_poll,
          ScepMessageType::get_cert, ScepMessageType::get_crl}) {
        if (text == std::to_string(static_cast<int>(type))) {
            return type;
        }
    }
    return std::nullopt;
}

bool printable_ascii(std::string_view text) {
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) {
            return false;
        }
    }
    return true;
}

std::optional<HashAlgorithm> digest_of(int nid) {
    switch (nid) {
    case NID_sha1:
        return HashAlgorithm::sha1;
    case NID_sha224:
        return HashAlgorithm::sha224;
    case NID_sha256:
        return HashAlgorithm::sha256;
    case NID_sha384:
        return HashAlgorithm::sha384;
    case NID_sha512:
        return HashAlgorithm::sha512;
    default:
        return std::nullopt;
    }
}

std::optional<ScepCipher> cipher_of(int nid) {
    switch (nid) {
    case NID_des_ede3_cbc:
        return ScepCipher::des3_cbc;
    case NID_aes_128_cbc:
        return ScepCipher::aes128_cbc;
    case NID_aes_192_cbc:
        return ScepCipher::aes192_cbc;
    case NID_aes_256_cbc:
        return ScepCipher::aes256_cbc;
    default:
        return std::nullopt;
    }
}

const char* cipher_name(ScepCipher cipher) {
    switch (cipher) {
    case ScepCipher::des3_cbc:
        return "DES-EDE3-CBC";
    case ScepCipher::aes128_cbc:
        return "AES-128-CBC";
    case ScepCipher::aes192_cbc:
        return "AES-192-CBC";
    case ScepCipher::aes256_cbc:
        return "AES-256-CBC";
    }
    return "AES-128-CBC";
}

std::string object_name(const ASN1_OBJECT* object) {
    std::array<char, 80> text{};
    OBJ_obj2txt(text.data(), static_cast<int>(text.size()), object, 0);
    return text.data();
}

// The CSR's challengePassword, whatever string type carries it. Read from
// the attributes alone: parsing the whole request would decode its key,
// which takes OpenSSL 3.0 long (the service's parse_csr does that once).
SecureString challenge_of(ByteView der) {
    const unsigned char* end = der.data() + der.size();
    long length = 0;
    int tag = 0;
    int cls = 0;
    // CertificationRequest, then CertificationRequestInfo.
    const unsigned char* p = enter(der.data(), end, length, tag, cls);
    p = p ? enter(p, end, length, tag, cls) : nullptr;
    if (p == nullptr || tag != V_ASN1_SEQUENCE || p + length > end) {
        ERR_clear_error();
        return {};
    }
    end = p + length;
    // version, subject, subjectPKInfo: skipped.
    for (int i = 0; i < 3 && p != nullptr; ++i) {
        const unsigned char* content = enter(p, end, length, tag, cls);
        p = content && content + length <= end ? content + length : nullptr;
    }
    // attributes [0] IMPLICIT SET OF Attribute.
    const unsigned char* attributes = p ? enter(p, end, length, tag, cls) : nullptr;
    if (attributes == nullptr || cls != V_ASN1_CONTEXT_SPECIFIC || tag != 0 ||
        attributes + length > end) {
        ERR_clear_error();
        return {};
    }
    p = attributes;
    const unsigned char* last = attributes + length;
    while (p < last) {
        using AttributePtr = Handle<X509_ATTRIBUTE, X509_ATTRIBUTE_free>;
        const AttributePtr attribute(d2i_X509_ATTRIBUTE(nullptr, &p, last - p));
        if (attribute == nullptr) {
            ERR_clear_error();
            return {};
        }
        if (OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute.get())) !=
            NID_pkcs9_challengePassword) {
            continue;
        }
        const ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute.get(), 0);
        if (value == nullptr || value->type == V_ASN1_OBJECT || value->type == V_ASN1_BOOLEAN ||
            value->type == V_ASN1_NULL) {
            return {};
        }
        const ASN1_STRING* text = value->value.asn1_string;
        return SecureString(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                            static_cast<std::size_t>(ASN1_STRING_length(text)));
    }
    return {};
}

// IssuerAndSubject ::= SEQUENCE { issuer Name, subject Name } (CertPoll).
bool read_issuer_and_subject(ByteView der, Bytes& issuer, Bytes& subject) {
    const unsigned char* p = der.data();
    long length = 0;
    int tag = 0;
    int cls = 0;
    const int flags = ASN1_get_object(&p, &length, &tag, &cls, static_cast<long>(der.size()));
    if ((flags & 0x80) != 0 || tag != V_ASN1_SEQUENCE || (flags & V_ASN1_CONSTRUCTED) == 0) {
        return false;
    }
    const unsigned char* end = p + length;
    for (Bytes* out : {&issuer, &subject}) {
        const unsigned char* start = p;
        const X509NamePtr name(d2i_X509_NAME(nullptr, &p, end - p));
        if (name == nullptr) {
            return false;
        }
        out->assign(start, p);
    }
    return p == end;
}

void add_string_attribute(PKCS7_SIGNER_INFO* signer, int nid, std::string_view text) {
    ASN1_STRING* value = ASN1_PRINTABLESTRING_new();
    check(value != nullptr &&
              ASN1_STRING_set(value, text.data(), static_cast<int>(text.size())) == 1,
          "cannot encode a SCEP attribute");
    if (PKCS7_add_signed_attribute(signer, nid, V_ASN1_PRINTABLESTRING, value) != 1) {
        ASN1_STRING_free(value);
        throw_crypto_error("cannot add a SCEP attribute");
    }
}

void add_octet_attribute(PKCS7_SIGNER_INFO* signer, int nid, ByteView bytes) {
    Asn1OctetStringPtr value = octet_string(bytes);
    check(PKCS7_add_signed_attribute(signer, nid, V_ASN1_OCTET_STRING, value.get()) == 1,
          "cannot add a SCEP attribute");
    value.release();
}

} // namespace certforge::openssl
