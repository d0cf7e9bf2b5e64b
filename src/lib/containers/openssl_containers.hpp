// SPDX-License-Identifier: Apache-2.0
// Internal: the container codec's one implementation, on OpenSSL (built only
// with the OpenSSL backend; containers.cpp chooses it). PKCS#12 and PKCS#7
// work in a library context of their own, with the legacy provider loaded
// (for RC2) next to the default one, so that nothing outside sees legacy
// algorithms.
#pragma once

#include "backends/openssl/openssl_handles.hpp"
#include "certforge/containers.hpp"

#include <memory>
#include <string>

namespace certforge {

std::unique_ptr<ContainerCodec> make_openssl_container_codec();

namespace openssl {

// PKCS#12 (pkcs12_writer.cpp, pkcs12_reader.cpp) in `ctx`; `have_legacy`:
// the legacy provider is loaded there.
Bytes write_pkcs12(OSSL_LIB_CTX* ctx, bool have_legacy, const KeyAndChain& contents,
                   const SecureString& password, const Pkcs12Options& options);
KeyAndChain read_pkcs12(OSSL_LIB_CTX* ctx, ByteView der,
                        const std::function<SecureString()>& ask_password, std::string_view source,
                        Pkcs12Protection* protection);

// What protects a PFX (pkcs12_protection.cpp). An OID's short name or dotted
// form; an algorithm as "pbeWithSHA1And3-KeyTripleDES-CBC" or
// "PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC"; the scheme certforge writes
// that matches, if any.
std::string object_text(const ASN1_OBJECT* object);
std::string algorithm_text(const X509_ALGOR* algorithm);
std::optional<Pkcs12Encryption> scheme_of(const Pkcs12Protection& protection);

// Refuse, with InputError naming `what` and `source`, an iteration count that
// cannot be read or lies outside 1 to kMaxPkcs12Iterations, before any work
// is spent on it: as an integer, or inside an encryption algorithm (PKCS#12
// PBE, or PBES2 with PBKDF2; another KDF is refused by name).
void require_bounded(const ASN1_INTEGER* iterations, std::string_view what,
                     std::string_view source);
void require_bounded(const X509_ALGOR* algorithm, std::string_view what, std::string_view source);

Bytes certificate_der(X509* cert);

} // namespace openssl
} // namespace certforge
