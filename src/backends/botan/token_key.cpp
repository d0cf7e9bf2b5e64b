// SPDX-License-Identifier: Apache-2.0
// A key on a token as a Botan Private_Key. Debian's Botan 2 is built
// without its PKCS#11 module, so this key is certforge's own: Botan hashes
// the message, pkcs_hash_id() gives the DigestInfo prefix, and the token
// pads and signs (ExternalKey::sign_digest_info). No RSA arithmetic here.
#include "botan_backend.hpp"
#include "certforge/errors.hpp"

#include <botan/hash.h>
#include <botan/hash_id.h>
#include <botan/pk_ops.h>
#include <botan/rsa.h>
#include <fmt/format.h>

namespace certforge::botan {
namespace {

// "EMSA3(SHA-256)" or "PKCS1v15(SHA-256)": the hash; anything else is a
// padding the token key does not make.
std::string pkcs1_hash_of(const std::string& padding) {
    const auto open = padding.find('(');
    const std::string scheme = padding.substr(0, open);
    if ((scheme != "EMSA3" && scheme != "EMSA_PKCS1" && scheme != "PKCS1v15") ||
        open == std::string::npos || padding.back() != ')') {
        throw UsageError(
            fmt::format("a key on a token signs with PKCS#1 v1.5 only, not {}", padding));
    }
    return padding.substr(open + 1, padding.size() - open - 2);
}

class TokenSignature final : public Botan::PK_Ops::Signature {
public:
    TokenSignature(std::shared_ptr<const ExternalKey> key, const std::string& hash)
        : key_(std::move(key)), hash_(Botan::HashFunction::create_or_throw(hash)),
          prefix_(Botan::pkcs_hash_id(hash_->name())) {}

    void update(const uint8_t message[], size_t length) override { hash_->update(message, length); }

    Botan::secure_vector<uint8_t> sign(Botan::RandomNumberGenerator&) override {
        Bytes digest_info = prefix_;
        const auto digest = hash_->final();
        digest_info.insert(digest_info.end(), digest.begin(), digest.end());
        const Bytes signature = key_->sign_digest_info(digest_info);
        return Botan::secure_vector<uint8_t>(signature.begin(), signature.end());
    }

    size_t signature_length() const override { return key_->rsa_modulus().size(); }

private:
    std::shared_ptr<const ExternalKey> key_;
    std::unique_ptr<Botan::HashFunction> hash_;
    Bytes prefix_;
};

class TokenRsaKey final : public Botan::Private_Key, public Botan::RSA_PublicKey {
public:
    explicit TokenRsaKey(std::shared_ptr<const ExternalKey> key)
        : Botan::RSA_PublicKey(
              Botan::BigInt(key->rsa_modulus().data(), key->rsa_modulus().size()),
              Botan::BigInt(key->rsa_public_exponent().data(), key->rsa_public_exponent().size())),
          key_(std::move(key)) {}

    Botan::secure_vector<uint8_t> private_key_bits() const override {
        throw UsageError(fmt::format("{}: a key on a token cannot leave it", key_->name()));
    }

    std::unique_ptr<Botan::PK_Ops::Signature>
    create_signature_op(Botan::RandomNumberGenerator&, const std::string& padding,
                        const std::string&) const override {
        return std::make_unique<TokenSignature>(key_, pkcs1_hash_of(padding));
    }

private:
    std::shared_ptr<const ExternalKey> key_;
};

} // namespace

std::unique_ptr<Botan::Private_Key>
token_signing_key(const std::shared_ptr<const ExternalKey>& key) {
    return std::make_unique<TokenRsaKey>(key);
}

} // namespace certforge::botan
