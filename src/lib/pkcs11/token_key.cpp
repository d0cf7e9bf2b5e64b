// SPDX-License-Identifier: Apache-2.0
// RSA keys on a PKCS#11 token: found or made through a TokenSession, used
// through ExternalKey (CKM_RSA_PKCS over the DigestInfo a backend encodes).
#include "certforge/token_key.hpp"

#include "certforge/errors.hpp"
#include "token_session.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

namespace certforge {
namespace pkcs11 {
namespace {

template <class T> CK_ATTRIBUTE attribute_of(CK_ATTRIBUTE_TYPE type, T& value) {
    return CK_ATTRIBUTE{type, &value, sizeof value};
}

CK_ATTRIBUTE attribute_of(CK_ATTRIBUTE_TYPE type, Bytes& value) {
    return CK_ATTRIBUTE{type, value.data(), value.size()};
}

// The URI's object attributes (object=, id=), as a search for private keys.
std::vector<CK_ATTRIBUTE> private_key_search(P11KitUri& uri) {
    static CK_OBJECT_CLASS private_key = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> search{attribute_of(CKA_CLASS, private_key)};
    for (const CK_ATTRIBUTE_TYPE type : {CKA_LABEL, CKA_ID}) {
        if (CK_ATTRIBUTE* named = p11_kit_uri_get_attribute(&uri, type)) {
            search.push_back(*named);
        }
    }
    return search;
}

Bytes without_leading_zeros(Bytes value) {
    const auto first = std::find_if(value.begin(), value.end(), [](auto b) { return b != 0; });
    value.erase(value.begin(), first);
    return value;
}

class TokenKey final : public ExternalKey {
public:
    TokenKey(std::unique_ptr<TokenSession> session, CK_OBJECT_HANDLE key, Bytes modulus,
             Bytes exponent, SecureString context_pin, bool always_authenticate)
        : session_(std::move(session)), key_(key), modulus_(std::move(modulus)),
          exponent_(std::move(exponent)), context_pin_(std::move(context_pin)),
          always_authenticate_(always_authenticate) {}

    const std::string& name() const noexcept override { return session_->uri(); }
    const Bytes& rsa_modulus() const noexcept override { return modulus_; }
    const Bytes& rsa_public_exponent() const noexcept override { return exponent_; }

    Bytes sign_digest_info(ByteView digest_info) const override {
        const std::lock_guard lock(mutex_);
        CK_FUNCTION_LIST& p11 = session_->functions();
        CK_MECHANISM mechanism{CKM_RSA_PKCS, nullptr, 0};
        session_->check(p11.C_SignInit(session_->handle(), &mechanism, key_), "C_SignInit");
        if (always_authenticate_) {
            session_->login_for_operation(context_pin_);
        }
        Bytes signature(modulus_.size());
        CK_ULONG length = signature.size();
        Bytes input(digest_info.begin(), digest_info.end());
        session_->check(
            p11.C_Sign(session_->handle(), input.data(), input.size(), signature.data(), &length),
            "C_Sign");
        signature.resize(length);
        return signature;
    }

private:
    std::unique_ptr<TokenSession> session_;
    CK_OBJECT_HANDLE key_;
    Bytes modulus_;
    Bytes exponent_;
    SecureString context_pin_;
    bool always_authenticate_;
    mutable std::mutex mutex_;
};

bool flag(TokenSession& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const auto value = session.attribute(object, type);
    return value && value->size() == sizeof(CK_BBOOL) && value->front() == CK_TRUE;
}

// The public half of an RSA key: on the private key object, or on the
// public key object with the same id when the token keeps it there.
std::pair<Bytes, Bytes> public_half(TokenSession& session, CK_OBJECT_HANDLE key) {
    auto modulus = session.attribute(key, CKA_MODULUS);
    auto exponent = session.attribute(key, CKA_PUBLIC_EXPONENT);
    if (!modulus || !exponent) {
        if (auto id = session.attribute(key, CKA_ID)) {
            static CK_OBJECT_CLASS public_key = CKO_PUBLIC_KEY;
            const auto found =
                session.find({attribute_of(CKA_CLASS, public_key), attribute_of(CKA_ID, *id)});
            if (found.size() == 1) {
                modulus = session.attribute(found.front(), CKA_MODULUS);
                exponent = session.attribute(found.front(), CKA_PUBLIC_EXPONENT);
            }
        }
    }
    if (!modulus || !exponent || modulus->empty() || exponent->empty()) {
        throw InputError(fmt::format("{}: the token does not show the key's public half "
                                     "(CKA_MODULUS, CKA_PUBLIC_EXPONENT)",
                                     session.uri()));
    }
    return {without_leading_zeros(std::move(*modulus)),
            without_leading_zeros(std::move(*exponent))};
}

PrivateKey token_key(std::unique_ptr<TokenSession> session, CK_OBJECT_HANDLE key,
                     SecureString pin) {
    const auto key_type = session->attribute(key, CKA_KEY_TYPE);
    CK_KEY_TYPE type = ~CK_KEY_TYPE{0};
    if (key_type && key_type->size() == sizeof type) {
        std::memcpy(&type, key_type->data(), sizeof type);
    }
    if (type != CKK_RSA) {
        throw InputError(fmt::format("{}: the key is not an RSA key; certforge signs with RSA "
                                     "keys on tokens only",
                                     session->uri()));
    }
    const bool always_authenticate = flag(*session, key, CKA_ALWAYS_AUTHENTICATE);
    auto [modulus, exponent] = public_half(*session, key);
    return PrivateKey(std::make_shared<TokenKey>(
        std::move(session), key, std::move(modulus), std::move(exponent),
        always_authenticate ? std::move(pin) : SecureString{}, always_authenticate));
}

} // namespace
} // namespace pkcs11

void check_token_key_uri(std::string_view uri) {
    static_cast<void>(pkcs11::parse_key_uri(uri));
}

PrivateKey open_token_key(std::string_view uri, const TokenPin& pin) {
    const pkcs11::UriPtr parsed = pkcs11::parse_key_uri(uri);
    auto session = std::make_unique<pkcs11::TokenSession>(std::string(uri), *parsed, false);
    SecureString used_pin = session->login(pin);
    const auto keys = session->find(pkcs11::private_key_search(*parsed));
    if (keys.empty()) {
        throw InputError(fmt::format("{}: the token \"{}\" holds no private key the URI names", uri,
                                     session->token_label()));
    }
    if (keys.size() > 1) {
        throw InputError(fmt::format("{}: {} private keys on the token match the URI; name one "
                                     "with object= and id=",
                                     uri, keys.size()));
    }
    return pkcs11::token_key(std::move(session), keys.front(), std::move(used_pin));
}

PrivateKey generate_token_key(std::string_view uri, unsigned bits, ByteView new_id,
                              const TokenPin& pin) {
    const pkcs11::UriPtr parsed = pkcs11::parse_key_uri(uri);
    CK_ATTRIBUTE* label = p11_kit_uri_get_attribute(parsed.get(), CKA_LABEL);
    if (label == nullptr) {
        throw UsageError(fmt::format("{}: a new key needs a label: object=LABEL", uri));
    }
    auto session = std::make_unique<pkcs11::TokenSession>(std::string(uri), *parsed, true);
    SecureString used_pin = session->login(pin);
    if (!session->find(pkcs11::private_key_search(*parsed)).empty()) {
        throw InputError(fmt::format("{}: the token \"{}\" already holds a private key the URI "
                                     "names: give the new key another object=, or use that one",
                                     uri, session->token_label()));
    }
    Bytes id(new_id.begin(), new_id.end());
    if (const CK_ATTRIBUTE* named_id = p11_kit_uri_get_attribute(parsed.get(), CKA_ID)) {
        const auto* begin = static_cast<const std::uint8_t*>(named_id->pValue);
        id.assign(begin, begin + named_id->ulValueLen);
    }
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    CK_ULONG modulus_bits = bits;
    Bytes public_exponent{0x01, 0x00, 0x01};
    using pkcs11::attribute_of;
    std::vector<CK_ATTRIBUTE> public_template{attribute_of(CKA_TOKEN, yes),
                                              attribute_of(CKA_VERIFY, yes),
                                              attribute_of(CKA_ENCRYPT, no),
                                              attribute_of(CKA_WRAP, no),
                                              attribute_of(CKA_MODULUS_BITS, modulus_bits),
                                              attribute_of(CKA_PUBLIC_EXPONENT, public_exponent),
                                              *label,
                                              attribute_of(CKA_ID, id)};
    std::vector<CK_ATTRIBUTE> private_template{
        attribute_of(CKA_TOKEN, yes),     attribute_of(CKA_PRIVATE, yes),
        attribute_of(CKA_SENSITIVE, yes), attribute_of(CKA_EXTRACTABLE, no),
        attribute_of(CKA_SIGN, yes),      attribute_of(CKA_DECRYPT, no),
        attribute_of(CKA_UNWRAP, no),     *label,
        attribute_of(CKA_ID, id)};
    CK_MECHANISM mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
    session->check(session->functions().C_GenerateKeyPair(
                       session->handle(), &mechanism, public_template.data(),
                       public_template.size(), private_template.data(), private_template.size(),
                       &public_key, &private_key),
                   fmt::format("making a {}-bit RSA key (C_GenerateKeyPair)", bits));
    return pkcs11::token_key(std::move(session), private_key, std::move(used_pin));
}

} // namespace certforge
