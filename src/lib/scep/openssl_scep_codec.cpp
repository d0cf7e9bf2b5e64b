// SPDX-License-Identifier: Apache-2.0
// The SCEP message layer on OpenSSL's PKCS#7 (RFC 8894 §3).
#include "backends/openssl/library_context.hpp"
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"
#include "certforge/scep_message.hpp"

#include <array>
#include <fmt/format.h>
#include <mutex>
#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>

namespace certforge {
namespace openssl {
namespace {

using BioPtr = Handle<BIO, BIO_free_all>;
inline void free_x509_stack_only(STACK_OF(X509) * stack) noexcept {
    sk_X509_free(stack);
}
using X509RefStackPtr = Handle<STACK_OF(X509), free_x509_stack_only>;

constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMaxTransactionId = 128;

// The SCEP attributes' NIDs, registered once (OpenSSL has no names for them).
struct ScepNids {
    int message_type = 0;
    int pki_status = 0;
    int fail_info = 0;
    int sender_nonce = 0;
    int recipient_nonce = 0;
    int transaction_id = 0;
};

int register_oid(const char* oid, const char* name) {
    const int existing = OBJ_txt2nid(oid);
    if (existing != NID_undef) {
        return existing;
    }
    const int nid = OBJ_create(oid, name, name);
    check(nid != NID_undef, "cannot register a SCEP attribute");
    return nid;
}

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

Pkcs7Ptr read_pkcs7(ByteView der) {
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

void fail(ScepRequest& request, ScepFailInfo info, std::string detail) {
    request.failure = info;
    request.failure_detail = std::move(detail);
}

// The header of the DER object at `p` (before `end`): its content starts at
// the returned pointer and is `length` long; null when it is not one.
const unsigned char* enter(const unsigned char* p, const unsigned char* end, long& length, int& tag,
                           int& cls) {
    const int flags = ASN1_get_object(&p, &length, &tag, &cls, end - p);
    return (flags & 0x80) != 0 ? nullptr : p;
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
bool read_issuer_and_subject(ByteView der, ScepRequest& request) {
    const unsigned char* p = der.data();
    long length = 0;
    int tag = 0;
    int cls = 0;
    const int flags = ASN1_get_object(&p, &length, &tag, &cls, static_cast<long>(der.size()));
    if ((flags & 0x80) != 0 || tag != V_ASN1_SEQUENCE || (flags & V_ASN1_CONSTRUCTED) == 0) {
        return false;
    }
    const unsigned char* end = p + length;
    for (Bytes* out : {&request.issuer_name, &request.subject_name}) {
        const unsigned char* start = p;
        const X509NamePtr name(d2i_X509_NAME(nullptr, &p, end - p));
        if (name == nullptr) {
            return false;
        }
        out->assign(start, p);
    }
    return p == end;
}

class OpenSslScepCodec final : public ScepCodec {
public:
    OpenSslScepCodec(ByteView ra_certificate, const PrivateKey& ra_key, ByteView ca_certificate)
        : ctx_(new_library_context()) {
        default_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
        check(default_ != nullptr, "cannot load OpenSSL's default provider");
        scep_nids();
        ra_certificate_ = load_certificate(ctx_.get(), ra_certificate, "the SCEP RA certificate");
        ra_key_ = load_private_key(ctx_.get(), ra_key);
        ca_certificate_ = load_certificate(ctx_.get(), ca_certificate, "the CA certificate");
        check(X509_check_private_key(ra_certificate_.get(), ra_key_.get()) == 1,
              "the SCEP RA key does not belong to its certificate");
    }

    ScepRequest decode(ByteView body) const override;
    Bytes encode_reply(const ScepRequest& request, const ScepReply& reply) const override;
    Bytes ca_certificates() const override;

private:
    void open_envelope(ByteView envelope, ScepRequest& request) const;
    Bytes degenerate(const std::vector<X509*>& certificates) const;

    LibCtxPtr ctx_;
    ProviderPtr default_;
    X509Ptr ra_certificate_;
    PkeyPtr ra_key_;
    X509Ptr ca_certificate_;
};

ScepRequest OpenSslScepCodec::decode(ByteView body) const {
    if (body.size() > kMaxScepMessageBytes) {
        throw InputError(fmt::format("the message is {} bytes, over the limit of {}", body.size(),
                                     kMaxScepMessageBytes));
    }
    ERR_clear_error();
    const Pkcs7Ptr p7 = read_pkcs7(body);
    if (p7 == nullptr || PKCS7_type_is_signed(p7.get()) == 0 || p7->d.sign == nullptr) {
        ERR_clear_error();
        throw InputError("not a PKCS#7 signedData message");
    }
    STACK_OF(PKCS7_SIGNER_INFO)* signers = PKCS7_get_signer_info(p7.get());
    if (signers == nullptr || sk_PKCS7_SIGNER_INFO_num(signers) != 1) {
        throw InputError("the message does not have exactly one signer");
    }
    PKCS7_SIGNER_INFO* signer = sk_PKCS7_SIGNER_INFO_value(signers, 0);
    const ScepNids& nids = scep_nids();
    ScepRequest request;
    const auto type = string_attribute(signer, nids.message_type);
    const auto transaction = string_attribute(signer, nids.transaction_id);
    const auto nonce = octet_attribute(signer, nids.sender_nonce);
    if (!type || !transaction || !nonce) {
        throw InputError("the message lacks messageType, transactionID or senderNonce");
    }
    if (transaction->empty() || transaction->size() > kMaxTransactionId ||
        !printable_ascii(*transaction)) {
        throw InputError("the transactionID is empty, longer than 128 or not printable");
    }
    if (nonce->size() != kNonceBytes) {
        throw InputError(fmt::format("the senderNonce is {} bytes, not 16", nonce->size()));
    }
    request.transaction_id = *transaction;
    request.sender_nonce = *nonce;

    X509_ALGOR* digest_algorithm = nullptr;
    PKCS7_SIGNER_INFO_get0_algs(signer, nullptr, &digest_algorithm, nullptr);
    const ASN1_OBJECT* digest_oid = nullptr;
    X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest_algorithm);
    const auto digest = digest_of(OBJ_obj2nid(digest_oid));
    const X509Ptr signer_certificate = [&] {
        const X509RefStackPtr found(PKCS7_get0_signers(p7.get(), nullptr, 0));
        ERR_clear_error();
        if (found == nullptr || sk_X509_num(found.get()) != 1) {
            throw InputError("the message does not carry its signer's certificate");
        }
        X509* cert = sk_X509_value(found.get(), 0);
        X509_up_ref(cert);
        return X509Ptr(cert);
    }();
    request.signer_certificate = to_der(signer_certificate.get(), i2d_X509, "a certificate");
    request.signer_issued_by_ca =
        X509_check_issued(ca_certificate_.get(), signer_certificate.get()) == X509_V_OK &&
        X509_verify(signer_certificate.get(), X509_get0_pubkey(ca_certificate_.get())) == 1;
    ERR_clear_error();
    X509_up_ref(signer_certificate.get());
    request.signer_handle =
        std::shared_ptr<const void>(signer_certificate.get(), [](const void* cert) {
            X509_free(static_cast<X509*>(const_cast<void*>(cert)));
        });
    if (!digest) {
        throw InputError(fmt::format("the message is signed with digest {}, which SCEP here "
                                     "refuses",
                                     object_name(digest_oid)));
    }
    request.digest = *digest;
    const BioPtr content = memory_bio();
    if (PKCS7_verify(p7.get(), nullptr, nullptr, nullptr, content.get(),
                     PKCS7_NOVERIFY | PKCS7_NOCHAIN | PKCS7_BINARY) != 1) {
        const std::string why = drain_error_queue();
        throw InputError(fmt::format("the message's signature does not verify ({})", why));
    }
    const int type_number = [&] {
        try {
            std::size_t used = 0;
            const int n = std::stoi(*type, &used);
            return used == type->size() ? n : -1;
        } catch (const std::exception&) {
            return -1;
        }
    }();
    switch (type_number) {
    case 17:
    case 19:
    case 20:
    case 21:
    case 22:
        request.type = static_cast<ScepMessageType>(type_number);
        break;
    default:
        fail(request, ScepFailInfo::bad_request,
             fmt::format("unknown messageType '{}'", printable_ascii(*type) ? *type : "?"));
        return request;
    }
    if (EVP_PKEY_get_base_id(X509_get0_pubkey(signer_certificate.get())) != EVP_PKEY_RSA) {
        fail(request, ScepFailInfo::bad_alg,
             "the signer's key is not RSA, so no reply can be enveloped for it");
        return request;
    }
    open_envelope(bio_bytes(content.get()), request);
    return request;
}

void OpenSslScepCodec::open_envelope(ByteView envelope, ScepRequest& request) const {
    const Pkcs7Ptr p7 = read_pkcs7(envelope);
    if (p7 == nullptr || PKCS7_type_is_enveloped(p7.get()) == 0 || p7->d.enveloped == nullptr ||
        p7->d.enveloped->enc_data == nullptr) {
        ERR_clear_error();
        fail(request, ScepFailInfo::bad_message_check, "the content is not PKCS#7 envelopedData");
        return;
    }
    const X509_ALGOR* algorithm = p7->d.enveloped->enc_data->algorithm;
    const auto cipher = algorithm ? cipher_of(OBJ_obj2nid(algorithm->algorithm)) : std::nullopt;
    if (!cipher) {
        fail(request, ScepFailInfo::bad_alg,
             fmt::format("the envelope is encrypted with {}, which SCEP here refuses",
                         algorithm ? object_name(algorithm->algorithm) : "nothing"));
        return;
    }
    request.cipher = *cipher;
    const BioPtr plain = memory_bio();
    if (PKCS7_decrypt(p7.get(), ra_key_.get(), ra_certificate_.get(), plain.get(), 0) != 1) {
        fail(request, ScepFailInfo::bad_message_check,
             fmt::format("the envelope does not open with the RA key ({})", drain_error_queue()));
        return;
    }
    const Bytes inner = bio_bytes(plain.get());
    switch (request.type) {
    case ScepMessageType::pkcs_req:
    case ScepMessageType::renewal_req: {
        request.csr = inner;
        request.challenge = challenge_of(inner);
        return;
    }
    case ScepMessageType::cert_poll:
        if (!read_issuer_and_subject(inner, request)) {
            ERR_clear_error();
            fail(request, ScepFailInfo::bad_request,
                 "the envelope does not hold an IssuerAndSubject");
        }
        return;
    case ScepMessageType::get_cert:
    case ScepMessageType::get_crl:
    case ScepMessageType::cert_rep:
        fail(request, ScepFailInfo::bad_request,
             fmt::format("{} is not served here", to_string(request.type)));
        return;
    }
}

Bytes OpenSslScepCodec::degenerate(const std::vector<X509*>& certificates) const {
    const Pkcs7Ptr p7(PKCS7_new_ex(ctx_.get(), nullptr));
    check(p7 != nullptr && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
              PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1,
          "cannot create a PKCS#7 structure");
    for (X509* cert : certificates) {
        check(PKCS7_add_certificate(p7.get(), cert) == 1, "cannot add a certificate");
    }
    return to_der(p7.get(), i2d_PKCS7, "a PKCS#7 structure");
}

Bytes OpenSslScepCodec::ca_certificates() const {
    return degenerate({ra_certificate_.get(), ca_certificate_.get()});
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

Bytes OpenSslScepCodec::encode_reply(const ScepRequest& request, const ScepReply& reply) const {
    ERR_clear_error();
    Bytes content;
    if (reply.status == ScepStatus::success) {
        std::vector<X509Ptr> owned;
        std::vector<X509*> certificates;
        for (const auto& der : reply.certificates) {
            owned.push_back(load_certificate(ctx_.get(), der, "an issued certificate"));
            certificates.push_back(owned.back().get());
        }
        const Bytes inner = degenerate(certificates);
        X509Ptr loaded;
        X509* recipient = request.signer_handle
                              ? static_cast<X509*>(const_cast<void*>(request.signer_handle.get()))
                              : (loaded = load_certificate(ctx_.get(), request.signer_certificate,
                                                           "the requester's certificate"))
                                    .get();
        const X509RefStackPtr recipients(sk_X509_new_null());
        check(recipients != nullptr && sk_X509_push(recipients.get(), recipient) > 0,
              "cannot list the recipient");
        EVP_CIPHER* cipher = EVP_CIPHER_fetch(ctx_.get(), cipher_name(request.cipher), nullptr);
        check(cipher != nullptr, "cannot fetch the envelope's cipher");
        const BioPtr in = reading_bio(inner);
        const Pkcs7Ptr envelope(PKCS7_encrypt_ex(recipients.get(), in.get(), cipher, PKCS7_BINARY,
                                                 ctx_.get(), nullptr));
        EVP_CIPHER_free(cipher);
        check(envelope != nullptr, "cannot envelope the reply");
        content = to_der(envelope.get(), i2d_PKCS7, "the reply's envelope");
    }
    const Pkcs7Ptr p7(PKCS7_new_ex(ctx_.get(), nullptr));
    check(p7 != nullptr && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
              PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1,
          "cannot create the reply");
    const EVP_MD* md = EVP_get_digestbyname(digest_name(request.digest));
    check(md != nullptr, "cannot find the reply's digest");
    PKCS7_SIGNER_INFO* signer =
        PKCS7_add_signature(p7.get(), ra_certificate_.get(), ra_key_.get(), md);
    check(signer != nullptr, "cannot add the RA's signature");
    check(PKCS7_add_certificate(p7.get(), ra_certificate_.get()) == 1,
          "cannot add the RA certificate");
    check(PKCS7_add_signed_attribute(signer, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                     OBJ_nid2obj(NID_pkcs7_data)) == 1,
          "cannot add the content type");
    const ScepNids& nids = scep_nids();
    add_string_attribute(signer, nids.message_type, "3");
    add_string_attribute(signer, nids.pki_status, std::to_string(static_cast<int>(reply.status)));
    if (reply.status == ScepStatus::failure) {
        add_string_attribute(signer, nids.fail_info,
                             std::to_string(static_cast<int>(reply.fail_info)));
    }
    add_string_attribute(signer, nids.transaction_id, request.transaction_id);
    add_octet_attribute(signer, nids.recipient_nonce, request.sender_nonce);
    std::array<unsigned char, kNonceBytes> nonce{};
    check(RAND_bytes_ex(ctx_.get(), nonce.data(), nonce.size(), 0) == 1, "cannot make a nonce");
    add_octet_attribute(signer, nids.sender_nonce, nonce);
    // FAILURE and PENDING carry an empty eContent rather than none: OpenSSL
    // clients (certmonger) read a CertRep without one as a detached
    // signature and cannot verify it.
    const BioPtr data(PKCS7_dataInit(p7.get(), nullptr));
    check(data != nullptr, "cannot start the reply's content");
    if (!content.empty()) {
        check(BIO_write(data.get(), content.data(), static_cast<int>(content.size())) ==
                  static_cast<int>(content.size()),
              "cannot write the reply's content");
    }
    check(PKCS7_dataFinal(p7.get(), data.get()) == 1, "cannot sign the reply");
    return to_der(p7.get(), i2d_PKCS7, "the reply");
}

} // namespace
} // namespace openssl

std::unique_ptr<ScepCodec> make_scep_codec(ByteView ra_certificate, const PrivateKey& ra_key,
                                           ByteView ca_certificate) {
    return std::make_unique<openssl::OpenSslScepCodec>(ra_certificate, ra_key, ca_certificate);
}

} // namespace certforge
