// SPDX-License-Identifier: Apache-2.0
// RAII owners for every OpenSSL handle the backend uses.
#pragma once

#include <memory>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace certforge::openssl {

template <auto Free> struct Deleter {
    template <class T> void operator()(T* p) const noexcept { Free(p); }
};

template <class T, auto Free> using Handle = std::unique_ptr<T, Deleter<Free>>;

using LibCtxPtr = Handle<OSSL_LIB_CTX, OSSL_LIB_CTX_free>;
using PkeyPtr = Handle<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = Handle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdPtr = Handle<EVP_MD, EVP_MD_free>;
using MdCtxPtr = Handle<EVP_MD_CTX, EVP_MD_CTX_free>;
using X509Ptr = Handle<X509, X509_free>;
using X509NamePtr = Handle<X509_NAME, X509_NAME_free>;
using BignumPtr = Handle<BIGNUM, BN_free>;
using Asn1IntegerPtr = Handle<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = Handle<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1BitStringPtr = Handle<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using Asn1ObjectPtr = Handle<ASN1_OBJECT, ASN1_OBJECT_free>;
using BasicConstraintsPtr = Handle<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using ExtendedKeyUsagePtr = Handle<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using GeneralNamePtr = Handle<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNamesPtr = Handle<GENERAL_NAMES, GENERAL_NAMES_free>;
using AuthorityKeyIdPtr = Handle<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using X509CrlPtr = Handle<X509_CRL, X509_CRL_free>;
using X509RevokedPtr = Handle<X509_REVOKED, X509_REVOKED_free>;
using Asn1TimePtr = Handle<ASN1_TIME, ASN1_TIME_free>;
using Asn1EnumeratedPtr = Handle<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using Pkcs8InfoPtr = Handle<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;

// Frees OpenSSL-allocated memory (OPENSSL_malloc).
inline void free_openssl_memory(void* p) noexcept {
    OPENSSL_free(p);
}
using OpenSslBytesPtr = Handle<unsigned char, free_openssl_memory>;

} // namespace certforge::openssl

#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>

namespace certforge::openssl {

using Pkcs12Ptr = Handle<PKCS12, PKCS12_free>;
using Pkcs7Ptr = Handle<PKCS7, PKCS7_free>;
using ProviderPtr = Handle<OSSL_PROVIDER, OSSL_PROVIDER_unload>;

inline void free_x509_stack(STACK_OF(X509) * stack) noexcept {
    sk_X509_pop_free(stack, X509_free);
}
using X509StackPtr = Handle<STACK_OF(X509), free_x509_stack>;
inline void free_pkcs7_stack(STACK_OF(PKCS7) * stack) noexcept {
    sk_PKCS7_pop_free(stack, PKCS7_free);
}
using Pkcs7StackPtr = Handle<STACK_OF(PKCS7), free_pkcs7_stack>;
inline void free_safebag_stack(STACK_OF(PKCS12_SAFEBAG) * stack) noexcept {
    sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
}
using SafeBagStackPtr = Handle<STACK_OF(PKCS12_SAFEBAG), free_safebag_stack>;
using PbeParamPtr = Handle<PBEPARAM, PBEPARAM_free>;
using Pbe2ParamPtr = Handle<PBE2PARAM, PBE2PARAM_free>;
using Pbkdf2ParamPtr = Handle<PBKDF2PARAM, PBKDF2PARAM_free>;

} // namespace certforge::openssl
