// SPDX-License-Identifier: Apache-2.0
// The SCEP message layer on OpenSSL's PKCS#7 (RFC 8894 §3).
#include "backends/openssl/library_context.hpp"
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"
#include "certforge/scep_message.hpp"
#include "scep_asn1.hpp"

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

constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMaxTransactionId = 128;

void fail(ScepRequest& request, ScepFailInfo info, std::string detail) {
    request.failure = info;
    request.failure_detail = std::move(detail);
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
    X509* read_signer(PKCS7* p7, ScepRequest& request) const;
    void open_envelope(ByteView envelope, ScepRequest& request) const;
    Bytes degenerate(const std::vector<X509*>& certificates) const;

    LibCtxPtr ctx_;
    ProviderPtr default_;
    X509Ptr ra_certificate_;
    PkeyPtr ra_key_;
    X509Ptr ca_certificate_;
};

// The signer's certificate, found in the message by the SignerInfo: into
// `request` as DER, as the handle encode_reply reuses, and whether the CA
// issued it. The returned pointer lives as long as the handle.
X509* OpenSslScepCodec::read_signer(PKCS7* p7, ScepRequest& request) const {
    const X509RefStackPtr found(PKCS7_get0_signers(p7, nullptr, 0));
    ERR_clear_error();
    if (found == nullptr || sk_X509_num(found.get()) != 1) {
        throw InputError("the message does not carry its signer's certificate");
    }
    X509* cert = sk_X509_value(found.get(), 0);
    request.signer_certificate = to_der(cert, i2d_X509, "a certificate");
    request.signer_issued_by_ca = X509_check_issued(ca_certificate_.get(), cert) == X509_V_OK &&
                                  X509_verify(cert, X509_get0_pubkey(ca_certificate_.get())) == 1;
    ERR_clear_error();
    X509_up_ref(cert);
    request.signer_handle = std::shared_ptr<const void>(
        cert, [](const void* held) { X509_free(static_cast<X509*>(const_cast<void*>(held))); });
    return cert;
}

ScepRequest OpenSslScepCodec::decode(ByteView body) const {
    if (body.size() > kMaxScepMessageBytes) {
        throw InputError(fmt::format("the message is {} bytes, over the limit of {}", body.size(),
                                     kMaxScepMessageBytes));
    }
    ERR_clear_error();
    const Pkcs7Ptr p7 = decode_pkcs7(body);
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
    X509* signer_certificate = read_signer(p7.get(), request);
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
    const auto message_type = message_type_of(*type);
    if (!message_type) {
        fail(request, ScepFailInfo::bad_request,
             fmt::format("unknown messageType '{}'", printable_ascii(*type) ? *type : "?"));
        return request;
    }
    request.type = *message_type;
    if (EVP_PKEY_get_base_id(X509_get0_pubkey(signer_certificate)) != EVP_PKEY_RSA) {
        fail(request, ScepFailInfo::bad_alg,
             "the signer's key is not RSA, so no reply can be enveloped for it");
        return request;
    }
    open_envelope(bio_bytes(content.get()), request);
    return request;
}

void OpenSslScepCodec::open_envelope(ByteView envelope, ScepRequest& request) const {
    const Pkcs7Ptr p7 = decode_pkcs7(envelope);
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
        if (!read_issuer_and_subject(inner, request.issuer_name, request.subject_name)) {
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
