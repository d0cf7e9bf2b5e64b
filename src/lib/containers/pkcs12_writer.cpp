// SPDX-License-Identifier: Apache-2.0
// Writing a PFX in the scheme a profile or host asks for.
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"
#include "openssl_containers.hpp"

#include <fmt/format.h>

namespace certforge::openssl {
namespace {

Bytes encode_pkcs12(PKCS12* p12) {
    return to_der(p12, i2d_PKCS12, "the PKCS#12 file");
}

} // namespace

Bytes write_pkcs12(OSSL_LIB_CTX* ctx, bool have_legacy, const KeyAndChain& contents,
                   const SecureString& password, const Pkcs12Options& options) {
    if (!contents.key || contents.chain.empty()) {
        throw UsageError("a PKCS#12 file needs a key and at least its certificate");
    }
    if (options.encryption == Pkcs12Encryption::rc2 && !have_legacy) {
        throw CryptoError("RC2-40 needs OpenSSL's legacy provider, which this system lacks "
                          "(Debian ships it in libssl3); use --pkcs12 3des instead");
    }
    ERR_clear_error();
    const PkeyPtr key = load_private_key(ctx, *contents.key);
    const X509Ptr leaf = load_certificate(ctx, contents.chain.front(), "certificate");
    X509StackPtr ca(sk_X509_new_null());
    check(ca != nullptr, "cannot allocate a certificate list");
    for (std::size_t i = 1; i < contents.chain.size(); ++i) {
        X509Ptr cert = load_certificate(ctx, contents.chain[i], "chain certificate");
        check(sk_X509_push(ca.get(), cert.get()) > 0, "cannot build the chain");
        static_cast<void>(cert.release());
    }
    int key_nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
    int cert_nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
    const char* mac = "SHA1";
    if (options.encryption == Pkcs12Encryption::aes) {
        key_nid = cert_nid = NID_aes_256_cbc;
        mac = "SHA256";
    } else if (options.encryption == Pkcs12Encryption::rc2) {
        cert_nid = NID_pbe_WithSHA1And40BitRC2_CBC;
    }
    const Pkcs12Ptr p12(PKCS12_create_ex(password.c_str(), options.friendly_name.c_str(), key.get(),
                                         leaf.get(), ca.get(), key_nid, cert_nid,
                                         options.iterations, -1, 0, ctx, nullptr));
    check(p12 != nullptr,
          fmt::format("cannot create the PKCS#12 file ({})", to_string(options.encryption)));
    const MdPtr md(EVP_MD_fetch(ctx, mac, nullptr));
    check(md != nullptr &&
              PKCS12_set_mac(p12.get(), password.c_str(), static_cast<int>(password.size()),
                             nullptr, 0, options.iterations, md.get()) == 1,
          "cannot add the PKCS#12 MAC");
    return encode_pkcs12(p12.get());
}

} // namespace certforge::openssl
