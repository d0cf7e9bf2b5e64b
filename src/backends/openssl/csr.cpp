// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/oids.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"

#include <fmt/format.h>

namespace certforge::openssl {
namespace {

using X509ReqPtr = Handle<X509_REQ, X509_REQ_free>;
inline void free_extensions(STACK_OF(X509_EXTENSION) * stack) noexcept {
    sk_X509_EXTENSION_pop_free(stack, X509_EXTENSION_free);
}
using ExtensionStackPtr = Handle<STACK_OF(X509_EXTENSION), free_extensions>;

std::string dotted(const ASN1_OBJECT* object) {
    char buffer[128];
    OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return buffer;
}

// Each dNSName read under the request policy: throws for bytes above 0x7F
// and for control characters.
void check_dns_names(const GENERAL_NAMES* names, std::string_view source) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
        if (name->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = name->d.dNSName;
            read_dns_name(ByteView(ASN1_STRING_get0_data(dns),
                                   static_cast<std::size_t>(ASN1_STRING_length(dns))),
                          NamePolicy::request, source);
        }
    }
}

} // namespace

Bytes sign_csr(OSSL_LIB_CTX* ctx, const CertificateTemplate& tmpl, const PrivateKey& key) {
    ERR_clear_error();
    const PkeyPtr pkey = load_private_key(ctx, key);
    const X509ReqPtr req(X509_REQ_new_ex(ctx, nullptr));
    check(req != nullptr && X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) == 1,
          "cannot create a request");
    const X509NamePtr subject = make_x509_name(tmpl.subject);
    check(X509_REQ_set_subject_name(req.get(), subject.get()) == 1, "cannot set the subject");
    check(X509_REQ_set_pubkey(req.get(), pkey.get()) == 1, "cannot set the public key");
    if (!tmpl.subject_alt_names.empty()) {
        ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
        const GeneralNamesPtr names = make_general_names(tmpl.subject_alt_names);
        X509_EXTENSION* san = X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get());
        check(san != nullptr && sk_X509_EXTENSION_push(extensions.get(), san) > 0,
              "cannot encode the requested SANs");
        check(X509_REQ_add_extensions(req.get(), extensions.get()) == 1,
              "cannot add the requested extensions");
    }
    const MdCtxPtr md(EVP_MD_CTX_new());
    const bool signed_ok =
        md != nullptr &&
        EVP_DigestSignInit_ex(md.get(), nullptr, digest_name(tmpl.signature_hash), ctx, nullptr,
                              pkey.get(), nullptr) == 1 &&
        X509_REQ_sign_ctx(req.get(), md.get()) > 0;
    rethrow_token_failure();
    check(signed_ok,
          fmt::format("signing the request with {} failed", to_string(tmpl.signature_hash)));
    return to_der(req.get(), i2d_X509_REQ, "the request");
}

CsrInfo parse_csr(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source) {
    ERR_clear_error();
    check_names_before_decoding(der, NamePolicy::request, source);
    X509ReqPtr req(X509_REQ_new_ex(ctx, nullptr));
    X509_REQ* raw = req.get();
    const unsigned char* p = der.data();
    if (der.empty() || d2i_X509_REQ(&raw, &p, static_cast<long>(der.size())) == nullptr ||
        p != der.data() + der.size()) {
        if (raw == nullptr) {
            // A failed d2i_X509_REQ has freed the request it was handed.
            static_cast<void>(req.release());
        }
        drain_error_queue();
        throw InputError(fmt::format("{}: not a PKCS#10 certificate request", source));
    }
    CsrInfo info;
    info.der.assign(der.begin(), der.end());
    info.subject = read_x509_name(X509_REQ_get_subject_name(req.get()), source);
    const X509_ALGOR* algorithm = nullptr;
    X509_REQ_get0_signature(req.get(), nullptr, &algorithm);
    const ASN1_OBJECT* oid = nullptr;
    X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm);
    set_signature_algorithm(info, dotted(oid));
    EVP_PKEY* pkey = X509_REQ_get0_pubkey(req.get());
    if (pkey == nullptr) {
        drain_error_queue();
        throw InputError(fmt::format("{}: the request's public key cannot be read", source));
    }
    info.key_algorithm = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA  ? KeyAlgorithm::rsa
                         : EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC ? KeyAlgorithm::ec
                                                                     : KeyAlgorithm::unknown;
    info.key_bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey));
    info.public_key_info = to_der(pkey, i2d_PUBKEY, "the request's public key");
    info.signature_valid = X509_REQ_verify_ex(req.get(), pkey, ctx, nullptr) == 1;
    const ExtensionStackPtr extensions(X509_REQ_get_extensions(req.get()));
    for (int i = 0; extensions && i < sk_X509_EXTENSION_num(extensions.get()); ++i) {
        X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions.get(), i);
        if (OBJ_obj2nid(X509_EXTENSION_get_object(extension)) == NID_subject_alt_name) {
            const GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(extension)));
            if (names) {
                check_dns_names(names.get(), source);
                read_general_names(names.get(), info.subject_alt_names,
                                   info.other_subject_alt_names);
            }
        }
    }
    ERR_clear_error();
    return info;
}

} // namespace certforge::openssl
