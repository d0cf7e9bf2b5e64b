// SPDX-License-Identifier: Apache-2.0
// One RSA key from each raw library, with no certforge code in between: the
// baseline the benchmarks compare the backends with.
#pragma once

#if CERTFORGE_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#endif
#if CERTFORGE_HAVE_BOTAN
#include <botan/rng.h>
#include <botan/rsa.h>
#endif

namespace certforge::bench {

#if CERTFORGE_HAVE_OPENSSL
inline void raw_openssl_rsa_key(unsigned bits) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
    EVP_PKEY* pkey = nullptr;
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits));
    EVP_PKEY_generate(ctx, &pkey);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
}
#endif

#if CERTFORGE_HAVE_BOTAN
inline void raw_botan_rsa_key(Botan::RandomNumberGenerator& rng, unsigned bits) {
    const Botan::RSA_PrivateKey key(rng, bits);
}
#endif

} // namespace certforge::bench
