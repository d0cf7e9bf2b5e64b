// SPDX-License-Identifier: Apache-2.0
#include "openssl_backend.hpp"

#include "certforge/errors.hpp"
#include "library_context.hpp"
#include "openssl_error.hpp"
#include "openssl_factory.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

namespace certforge {

std::unique_ptr<Backend> make_openssl_backend() {
    return std::make_unique<openssl::OpenSslBackend>();
}

namespace openssl {

OpenSslBackend::OpenSslBackend() : ctx_(new_library_context()) {}

std::string OpenSslBackend::library_version() const {
    return OpenSSL_version(OPENSSL_VERSION);
}

PrivateKey OpenSslBackend::generate_key(const KeySpec& spec) {
    if (spec.algorithm != KeyAlgorithm::rsa) {
        throw UsageError(fmt::format("the openssl backend makes RSA keys only, not {}",
                                     to_string(spec.algorithm)));
    }
    if (spec.bits < 1024 || spec.bits > 16384) {
        throw UsageError(fmt::format("RSA key size {} is outside 1024..16384", spec.bits));
    }
    PkeyCtxPtr kctx(EVP_PKEY_CTX_new_from_name(ctx_.get(), "RSA", nullptr));
    check(kctx != nullptr, "cannot set up RSA key generation");
    check(EVP_PKEY_keygen_init(kctx.get()) == 1, "cannot set up RSA key generation");
    check(EVP_PKEY_CTX_set_rsa_keygen_bits(kctx.get(), static_cast<int>(spec.bits)) == 1,
          "cannot set the RSA key size");
    EVP_PKEY* raw = nullptr;
    check(EVP_PKEY_generate(kctx.get(), &raw) == 1, "RSA key generation failed");
    const PkeyPtr pkey(raw);
    return to_private_key(pkey.get());
}

KeyDescription OpenSslBackend::describe_key(const PrivateKey& key) const {
    const PkeyPtr pkey = load_private_key(ctx_.get(), key);
    KeyDescription description;
    switch (EVP_PKEY_get_base_id(pkey.get())) {
    case EVP_PKEY_RSA:
        description.algorithm = KeyAlgorithm::rsa;
        break;
    case EVP_PKEY_EC:
        description.algorithm = KeyAlgorithm::ec;
        break;
    default:
        description.algorithm = KeyAlgorithm::unknown;
    }
    description.bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
    return description;
}

Bytes OpenSslBackend::random_bytes(std::size_t count) {
    Bytes out(count);
    check(RAND_bytes_ex(ctx_.get(), out.data(), out.size(), 0) == 1, "the random generator failed");
    return out;
}

Bytes OpenSslBackend::digest(HashAlgorithm hash, ByteView data) const {
    return openssl::digest(ctx_.get(), digest_name(hash), data);
}

Bytes OpenSslBackend::sign_certificate(const CertificateTemplate& tmpl,
                                       const PrivateKey& subject_key,
                                       const std::optional<CaCredentials>& issuer) {
    return openssl::sign_certificate(ctx_.get(), tmpl, subject_key,
                                     issuer ? &this->loaded_ca(*issuer) : nullptr);
}

Bytes OpenSslBackend::sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                                      const CaCredentials& issuer) {
    return openssl::sign_public_key(ctx_.get(), tmpl, public_key_info, this->loaded_ca(issuer));
}

const LoadedCa& OpenSslBackend::loaded_ca(const CaCredentials& credentials) {
    return loaded_cas_.get(credentials,
                           [this](const CaCredentials& c) { return load_ca(ctx_.get(), c); });
}

Bytes OpenSslBackend::sign_crl(const CrlTemplate& tmpl, const CaCredentials& issuer) {
    return openssl::sign_crl(ctx_.get(), tmpl, this->loaded_ca(issuer));
}

Bytes OpenSslBackend::sign_csr(const CertificateTemplate& tmpl, const PrivateKey& key) {
    return openssl::sign_csr(ctx_.get(), tmpl, key);
}

CsrInfo OpenSslBackend::parse_csr(ByteView der, std::string_view source) const {
    return openssl::parse_csr(ctx_.get(), der, source);
}

PkeyPtr load_public_key(OSSL_LIB_CTX* ctx, ByteView public_key_info) {
    const unsigned char* p = public_key_info.data();
    PkeyPtr pkey(
        d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(public_key_info.size()), ctx, nullptr));
    if (pkey == nullptr) {
        drain_error_queue();
        throw InputError("the public key cannot be read");
    }
    return pkey;
}

CertInfo OpenSslBackend::parse_certificate(ByteView der, std::string_view source) const {
    return openssl::parse_certificate(ctx_.get(), der, source);
}

bool OpenSslBackend::key_matches_certificate(const PrivateKey& key,
                                             ByteView certificate_der) const {
    const PkeyPtr pkey = public_key_of(ctx_.get(), key);
    const X509Ptr cert = load_certificate(ctx_.get(), certificate_der, "certificate");
    return EVP_PKEY_eq(X509_get0_pubkey(cert.get()), pkey.get()) == 1;
}

std::optional<bool> OpenSslBackend::certificate_signed_by(ByteView certificate_der,
                                                          ByteView issuer_der,
                                                          std::string& why) const {
    const X509Ptr cert = load_certificate(ctx_.get(), certificate_der, "certificate");
    // Checks of a chain ask about the same issuer (the CA) again and again:
    // OpenSSL 3.0 takes about 90 us to parse a certificate.
    if (!cached_issuer_ || !std::equal(issuer_der.begin(), issuer_der.end(),
                                       cached_issuer_der_.begin(), cached_issuer_der_.end())) {
        cached_issuer_.reset();
        cached_issuer_ = load_certificate(ctx_.get(), issuer_der, "issuer certificate");
        cached_issuer_der_.assign(issuer_der.begin(), issuer_der.end());
    }
    X509* issuer = cached_issuer_.get();
    EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
    if (issuer_key == nullptr) {
        why = fmt::format("the issuer's public key cannot be read: {}", drain_error_queue());
        return std::nullopt;
    }
    // RFC 5280 4.1.1.2: the signature field inside must equal the one
    // outside. X509_verify compares them too, but only after the checks
    // below, which look at the outside one alone.
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, cert.get());
    if (X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(cert.get())) != 0) {
        return false;
    }
    // X509_verify says 0 both for a bad signature and for a hash it cannot
    // use (a system policy may disable SHA-1): ask about the hash first.
    int digest_nid = NID_undef;
    int key_nid = NID_undef;
    if (OBJ_find_sigid_algs(X509_get_signature_nid(cert.get()), &digest_nid, &key_nid) != 1) {
        why = "OpenSSL does not know this signature algorithm";
        return std::nullopt;
    }
    if (digest_nid != NID_undef) {
        MdPtr md(EVP_MD_fetch(ctx_.get(), OBJ_nid2sn(digest_nid), nullptr));
        if (md == nullptr) {
            why = fmt::format("OpenSSL cannot use {} here: {}", OBJ_nid2sn(digest_nid),
                              drain_error_queue());
            return std::nullopt;
        }
    }
    const int result = X509_verify(cert.get(), issuer_key);
    drain_error_queue();
    if (result == 1) {
        return true;
    }
    if (result == 0) {
        return false;
    }
    why = "OpenSSL cannot check this signature";
    return std::nullopt;
}

namespace {

using BnCtxPtr = Handle<BN_CTX, BN_CTX_free>;

BignumPtr bn_param(const EVP_PKEY* pkey, const char* name) {
    BIGNUM* value = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &value) != 1) {
        drain_error_queue();
        return BignumPtr(BN_new());
    }
    return BignumPtr(value);
}

// Why the parts of an RSA key do not fit together, or nullopt when they do.
std::optional<std::string> rsa_inconsistency(const EVP_PKEY* pkey) {
    const BignumPtr n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N);
    const BignumPtr e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E);
    const BignumPtr d = bn_param(pkey, OSSL_PKEY_PARAM_RSA_D);
    const BignumPtr p = bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1);
    const BignumPtr q = bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2);
    const BignumPtr dp = bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1);
    const BignumPtr dq = bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2);
    const BignumPtr qinv = bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
    const BnCtxPtr bn(BN_CTX_new());
    const BignumPtr t(BN_new());
    const BignumPtr p1(BN_new());
    const BignumPtr q1(BN_new());
    const BignumPtr de(BN_new());
    check(n && e && d && p && q && dp && dq && qinv && bn && t && p1 && q1 && de,
          "cannot check the RSA key");
    const auto below_two = [](const BIGNUM* x) {
        return BN_cmp(x, BN_value_one()) <= 0;
    };
    if (below_two(p.get()) || below_two(q.get()) ||
        BN_mul(t.get(), p.get(), q.get(), bn.get()) != 1 || BN_cmp(t.get(), n.get()) != 0) {
        return "n is not p*q";
    }
    check(BN_sub(p1.get(), p.get(), BN_value_one()) == 1 &&
              BN_sub(q1.get(), q.get(), BN_value_one()) == 1 &&
              BN_mul(de.get(), d.get(), e.get(), bn.get()) == 1,
          "cannot check the RSA key");
    const auto mod_is = [&](const BIGNUM* x, const BIGNUM* m, const BIGNUM* want) {
        check(BN_mod(t.get(), x, m, bn.get()) == 1, "cannot check the RSA key");
        return BN_cmp(t.get(), want) == 0;
    };
    if (!mod_is(de.get(), p1.get(), BN_value_one()) ||
        !mod_is(de.get(), q1.get(), BN_value_one())) {
        return "d*e is not 1 modulo p-1 and q-1";
    }
    check(BN_mod_mul(de.get(), qinv.get(), q.get(), p.get(), bn.get()) == 1,
          "cannot check the RSA key");
    if (!mod_is(d.get(), p1.get(), dp.get()) || !mod_is(d.get(), q1.get(), dq.get()) ||
        !BN_is_one(de.get())) {
        return "the CRT exponents or coefficient do not fit p, q and d";
    }
    return std::nullopt;
}

// Why the parts of `pkey` do not fit together (see Backend::describe_key),
// or nullopt when they do.
std::optional<std::string> inconsistency(OSSL_LIB_CTX* ctx, EVP_PKEY* pkey) {
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        return rsa_inconsistency(pkey);
    case EVP_PKEY_EC: {
        const PkeyCtxPtr check_ctx(EVP_PKEY_CTX_new_from_pkey(ctx, pkey, nullptr));
        check(check_ctx != nullptr, "cannot check the EC key");
        if (EVP_PKEY_pairwise_check(check_ctx.get()) != 1) {
            drain_error_queue();
            return "the public point is not the private value times the generator";
        }
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

} // namespace

PkeyPtr load_private_key(OSSL_LIB_CTX* ctx, const PrivateKey& key) {
    if (key.external()) {
        return token_signing_key(key.external());
    }
    const auto der = key.pkcs8_der();
    const unsigned char* p = der.data();
    Pkcs8InfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
    if (info == nullptr || p != der.data() + der.size()) {
        drain_error_queue();
        throw InputError("the private key is not valid PKCS#8");
    }
    PkeyPtr pkey(EVP_PKCS82PKEY_ex(info.get(), ctx, nullptr));
    if (pkey == nullptr) {
        throw InputError(fmt::format("the private key cannot be loaded: {}", drain_error_queue()));
    }
    if (const auto reason = inconsistency(ctx, pkey.get())) {
        throw InputError(inconsistent_key_message(key, *reason));
    }
    return pkey;
}

PkeyPtr public_key_of(OSSL_LIB_CTX* ctx, const PrivateKey& key) {
    return key.external() ? token_public_key(ctx, *key.external()) : load_private_key(ctx, key);
}

PrivateKey to_private_key(const EVP_PKEY* pkey) {
    Pkcs8InfoPtr info(EVP_PKEY2PKCS8(pkey));
    check(info != nullptr, "cannot encode the key as PKCS#8");
    return PrivateKey(
        to_der<SecureBytes>(info.get(), i2d_PKCS8_PRIV_KEY_INFO, "the key as PKCS#8"));
}

X509Ptr load_certificate(OSSL_LIB_CTX* ctx, ByteView der, std::string_view source) {
    X509Ptr cert(X509_new_ex(ctx, nullptr));
    check(cert != nullptr, "cannot allocate a certificate");
    X509* raw = cert.get();
    const unsigned char* p = der.data();
    if (der.empty() || d2i_X509(&raw, &p, static_cast<long>(der.size())) == nullptr) {
        // A failed d2i_X509 has freed the object it was given.
        if (raw == nullptr) {
            static_cast<void>(cert.release());
        }
        const std::string reason = drain_error_queue();
        throw InputError(fmt::format("{}: not a valid X.509 certificate{}", source,
                                     reason.empty() ? "" : fmt::format(" ({})", reason)));
    }
    if (p != der.data() + der.size()) {
        throw InputError(fmt::format("{}: {} bytes of trailing data after the certificate", source,
                                     der.data() + der.size() - p));
    }
    return cert;
}

const char* digest_name(HashAlgorithm hash) {
    switch (hash) {
    case HashAlgorithm::md5:
        return "MD5";
    case HashAlgorithm::sha1:
        return "SHA1";
    case HashAlgorithm::sha224:
        return "SHA224";
    case HashAlgorithm::sha256:
        return "SHA256";
    case HashAlgorithm::sha384:
        return "SHA384";
    case HashAlgorithm::sha512:
        return "SHA512";
    case HashAlgorithm::unknown:
        break;
    }
    throw UsageError("no hash algorithm chosen");
}

Bytes digest(OSSL_LIB_CTX* ctx, const char* algorithm, ByteView data) {
    MdPtr md(EVP_MD_fetch(ctx, algorithm, nullptr));
    check(md != nullptr, fmt::format("hash {} is not available", algorithm));
    Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md.get())));
    unsigned int length = 0;
    check(EVP_Digest(data.data(), data.size(), out.data(), &length, md.get(), nullptr) == 1,
          fmt::format("hash {} failed", algorithm));
    out.resize(length);
    return out;
}

Bytes key_identifier(OSSL_LIB_CTX* ctx, const X509_PUBKEY* public_key) {
    const unsigned char* bits = nullptr;
    int length = 0;
    check(X509_PUBKEY_get0_param(nullptr, &bits, &length, nullptr, public_key) == 1,
          "cannot read the public key");
    return digest(ctx, "SHA1", ByteView(bits, static_cast<std::size_t>(length)));
}

} // namespace openssl
} // namespace certforge
