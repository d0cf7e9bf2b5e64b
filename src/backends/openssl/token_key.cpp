// SPDX-License-Identifier: Apache-2.0
// A key on a token as an OpenSSL EVP_PKEY: an RSA key whose RSA_METHOD
// sends the private-key operation to ExternalKey::sign_digest_info.
// OpenSSL 3 keeps such a key "foreign" and signs it through the legacy RSA
// path (RSA_sign encodes the DigestInfo, then calls the method's
// rsa_priv_enc), which is how the pkcs11 engine of libp11 works too. The
// RSA_METHOD API is deprecated in OpenSSL 3 without a replacement short of
// writing a provider; this file alone uses it.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "certforge/errors.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <utility>

namespace certforge::openssl {
namespace {

using RsaPtr = Handle<RSA, RSA_free>;
using RsaMethodPtr = Handle<RSA_METHOD, RSA_meth_free>;
using ParamBldPtr = Handle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr = Handle<OSSL_PARAM, OSSL_PARAM_free>;

// Why the last token signature on this thread failed: an exception cannot
// cross OpenSSL's C frames, so the method keeps it for rethrow_token_failure.
thread_local std::exception_ptr token_failure;

using KeyHolder = std::shared_ptr<const ExternalKey>;

int sign_on_token(int length, const unsigned char* from, unsigned char* to, RSA* rsa, int padding) {
    if (padding != RSA_PKCS1_PADDING) {
        token_failure = std::make_exception_ptr(
            UsageError("a key on a token signs with PKCS#1 v1.5 padding only"));
        return -1;
    }
    try {
        const auto* key = static_cast<const KeyHolder*>(RSA_get_app_data(rsa));
        const Bytes signature =
            (*key)->sign_digest_info(ByteView(from, static_cast<std::size_t>(length)));
        std::copy(signature.begin(), signature.end(), to);
        return static_cast<int>(signature.size());
    } catch (...) {
        token_failure = std::current_exception();
        return -1;
    }
}

int refuse_decryption(int, const unsigned char*, unsigned char*, RSA*, int) {
    token_failure =
        std::make_exception_ptr(UsageError("a key on a token is used for signatures only"));
    return -1;
}

int release_holder(RSA* rsa) {
    delete static_cast<KeyHolder*>(RSA_get_app_data(rsa));
    RSA_set_app_data(rsa, nullptr);
    const auto finish = RSA_meth_get_finish(RSA_PKCS1_OpenSSL());
    return finish != nullptr ? finish(rsa) : 1;
}

const RSA_METHOD* token_method() {
    static const RsaMethodPtr method = [] {
        RsaMethodPtr made(RSA_meth_dup(RSA_PKCS1_OpenSSL()));
        check(made != nullptr && RSA_meth_set1_name(made.get(), "certforge PKCS#11 token") == 1 &&
                  RSA_meth_set_priv_enc(made.get(), sign_on_token) == 1 &&
                  RSA_meth_set_priv_dec(made.get(), refuse_decryption) == 1 &&
                  RSA_meth_set_finish(made.get(), release_holder) == 1,
              "cannot make the RSA method of token keys");
        RSA_meth_set_flags(made.get(), RSA_meth_get_flags(made.get()) | RSA_METHOD_FLAG_NO_CHECK);
        return made;
    }();
    return method.get();
}

BignumPtr bignum(const Bytes& value) {
    BignumPtr number(BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr));
    check(number != nullptr, "cannot read the token key's public half");
    return number;
}

} // namespace

PkeyPtr token_public_key(OSSL_LIB_CTX* ctx, const ExternalKey& key) {
    const BignumPtr n = bignum(key.rsa_modulus());
    const BignumPtr e = bignum(key.rsa_public_exponent());
    const ParamBldPtr build(OSSL_PARAM_BLD_new());
    check(build != nullptr && OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) &&
              OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()),
          "cannot read the token key's public half");
    const ParamsPtr params(OSSL_PARAM_BLD_to_param(build.get()));
    const PkeyCtxPtr from_data(EVP_PKEY_CTX_new_from_name(ctx, "RSA", nullptr));
    EVP_PKEY* made = nullptr;
    check(params != nullptr && from_data != nullptr &&
              EVP_PKEY_fromdata_init(from_data.get()) == 1 &&
              EVP_PKEY_fromdata(from_data.get(), &made, EVP_PKEY_PUBLIC_KEY, params.get()) == 1,
          "cannot read the token key's public half");
    return PkeyPtr(made);
}

PkeyPtr token_signing_key(const std::shared_ptr<const ExternalKey>& key) {
    RsaPtr rsa(RSA_new());
    check(rsa != nullptr && RSA_set_method(rsa.get(), token_method()) == 1,
          "cannot make the token key's RSA object");
    BignumPtr n = bignum(key->rsa_modulus());
    BignumPtr e = bignum(key->rsa_public_exponent());
    check(RSA_set0_key(rsa.get(), n.get(), e.get(), nullptr) == 1,
          "cannot make the token key's RSA object");
    static_cast<void>(n.release());
    static_cast<void>(e.release());
    check(RSA_set_app_data(rsa.get(), new KeyHolder(key)) == 1,
          "cannot make the token key's RSA object");
    PkeyPtr pkey(EVP_PKEY_new());
    check(pkey != nullptr && EVP_PKEY_assign_RSA(pkey.get(), rsa.get()) == 1,
          "cannot make the token key's EVP_PKEY");
    static_cast<void>(rsa.release());
    return pkey;
}

void rethrow_token_failure() {
    if (token_failure) {
        std::exception_ptr failure = std::exchange(token_failure, nullptr);
        drain_error_queue();
        std::rethrow_exception(failure);
    }
}

} // namespace certforge::openssl
