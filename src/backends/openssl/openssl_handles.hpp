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
using Pkcs8InfoPtr = Handle<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>;

// Frees OpenSSL-allocated memory (OPENSSL_malloc).
inline void free_openssl_memory(void* p) noexcept {
    OPENSSL_free(p);
}
using OpenSslBytesPtr = Handle<unsigned char, free_openssl_memory>;

} // namespace certforge::openssl
