// SPDX-License-Identifier: Apache-2.0
// Reading a PFX: the MAC, each safe (plain or encrypted) and each bag in it,
// with every iteration count bounded before the work it asks for.
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/der_framing.hpp"
#include "certforge/errors.hpp"
#include "certforge/text.hpp"
#include "openssl_containers.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge::openssl {
namespace {

[[noreturn]] void wrong_password(std::string_view source) {
    drain_error_queue();
    throw InputError(fmt::format("{}: wrong password (or a damaged file: the PKCS#12 integrity "
                                 "check failed)",
                                 source));
}

// One spelling of the password as PKCS#12 functions take it: text and length.
struct PasswordForm {
    const char* text;
    int length;
};

// The spellings of a password still in the running. A non-empty password
// has one; an empty one two, because exporters write "no password" either
// as no bytes at all or as an empty BMPString (OpenSSL tries both). The
// first spelling that opens something is kept for the rest of the file.
class PasswordForms {
public:
    PasswordForms(const SecureString& password, std::string_view source) : source_(source) {
        if (password.empty()) {
            forms_ = {{nullptr, 0}, {"", 0}};
        } else {
            forms_ = {{password.c_str(), static_cast<int>(password.size())}};
        }
    }

    // Calls `attempt` with each spelling until one returns true and keeps
    // that one; throws "wrong password" when none does.
    template <class Attempt> void settle(Attempt attempt) {
        for (const PasswordForm& form : forms_) {
            if (attempt(form)) {
                forms_ = {form};
                ERR_clear_error();
                return;
            }
        }
        wrong_password(source_);
    }

private:
    std::vector<PasswordForm> forms_;
    std::string_view source_;
};

// The private key of a key bag. Throws InputError for one that cannot be
// loaded: the file is damaged, not certforge.
PrivateKey bag_key(OSSL_LIB_CTX* ctx, const PKCS8_PRIV_KEY_INFO* info, std::string_view source) {
    const PkeyPtr pkey(info == nullptr ? nullptr : EVP_PKCS82PKEY_ex(info, ctx, nullptr));
    if (pkey == nullptr) {
        drain_error_queue();
        throw InputError(
            fmt::format("{}: the PKCS#12 key bag holds no usable private key", source));
    }
    return to_private_key(pkey.get());
}

// Leaf first (the certificate of the key, or else one that issued none of
// the others), then each issuer in turn, then whatever is left.
std::vector<Bytes> order_chain(std::vector<X509Ptr> certs, EVP_PKEY* key) {
    std::vector<Bytes> ordered;
    if (certs.empty()) {
        return ordered;
    }
    auto leaf = certs.begin();
    if (key != nullptr) {
        leaf = std::find_if(certs.begin(), certs.end(), [&](const X509Ptr& c) {
            return EVP_PKEY_eq(X509_get0_pubkey(c.get()), key) == 1;
        });
    }
    if (leaf == certs.end() || key == nullptr) {
        leaf = std::find_if(certs.begin(), certs.end(), [&](const X509Ptr& candidate) {
            return std::none_of(certs.begin(), certs.end(), [&](const X509Ptr& other) {
                return other != candidate &&
                       X509_NAME_cmp(X509_get_issuer_name(other.get()),
                                     X509_get_subject_name(candidate.get())) == 0;
            });
        });
        if (leaf == certs.end()) {
            leaf = certs.begin();
        }
    }
    X509Ptr current = std::move(*leaf);
    certs.erase(leaf);
    while (current) {
        ordered.push_back(certificate_der(current.get()));
        if (X509_NAME_cmp(X509_get_issuer_name(current.get()),
                          X509_get_subject_name(current.get())) == 0) {
            break;
        }
        auto issuer = std::find_if(certs.begin(), certs.end(), [&](const X509Ptr& c) {
            return X509_NAME_cmp(X509_get_subject_name(c.get()),
                                 X509_get_issuer_name(current.get())) == 0;
        });
        if (issuer == certs.end()) {
            break;
        }
        current = std::move(*issuer);
        certs.erase(issuer);
    }
    for (const auto& rest : certs) {
        ordered.push_back(certificate_der(rest.get()));
    }
    return ordered;
}

// One PFX read in one pass; the password spellings, the protection found,
// the key and the certificates accumulate as it goes.
class Pkcs12Reader {
public:
    Pkcs12Reader(OSSL_LIB_CTX* ctx, const SecureString& password, std::string_view source)
        : ctx_(ctx), source_(source), forms_(password, source) {}

    void check_mac(PKCS12* p12) {
        if (!PKCS12_mac_present(p12)) {
            return;
        }
        const X509_ALGOR* mac_algorithm = nullptr;
        const ASN1_INTEGER* iterations = nullptr;
        PKCS12_get0_mac(nullptr, &mac_algorithm, nullptr, &iterations, p12);
        if (iterations != nullptr) {
            require_bounded(iterations, "integrity check (MAC)", source_);
        }
        forms_.settle([&](const PasswordForm& form) {
            return PKCS12_verify_mac(p12, form.text, form.length) == 1;
        });
        const ASN1_OBJECT* mac_oid = nullptr;
        X509_ALGOR_get0(&mac_oid, nullptr, nullptr, mac_algorithm);
        found_.mac = to_lower(object_text(mac_oid));
        found_.mac_iterations =
            iterations == nullptr ? 1 : static_cast<int>(ASN1_INTEGER_get(iterations));
    }

    void read_safe(PKCS7* safe) {
        const SafeBagStackPtr bags = open_safe(safe);
        for (int j = 0; bags != nullptr && j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
            read_bag(sk_PKCS12_SAFEBAG_value(bags.get(), j));
        }
    }

    KeyAndChain finish(Pkcs12Protection* protection) {
        found_.scheme = scheme_of(found_);
        PkeyPtr pkey;
        if (key_) {
            pkey = load_private_key(ctx_, *key_);
        }
        KeyAndChain out;
        out.chain = order_chain(std::move(certs_), pkey.get());
        out.key = std::move(key_);
        if (protection != nullptr) {
            *protection = found_;
        }
        return out;
    }

private:
    // The bags of a plain safe, or of an encrypted one once decrypted; null
    // for a safe of another kind.
    SafeBagStackPtr open_safe(PKCS7* safe) {
        SafeBagStackPtr bags;
        const int type = OBJ_obj2nid(safe->type);
        if (type == NID_pkcs7_data) {
            bags.reset(PKCS12_unpack_p7data(safe));
        } else if (type == NID_pkcs7_encrypted && safe->d.encrypted != nullptr &&
                   safe->d.encrypted->enc_data != nullptr) {
            // Decrypted in this codec's library context: RC2 is in its
            // legacy provider, not in the default context that
            // PKCS12_unpack_p7encdata would use.
            const PKCS7_ENC_CONTENT* content = safe->d.encrypted->enc_data;
            found_.certificate_encryption = algorithm_text(content->algorithm);
            require_bounded(content->algorithm, "certificate encryption", source_);
            forms_.settle([&](const PasswordForm& form) {
                bags.reset(static_cast<STACK_OF(PKCS12_SAFEBAG)*>(PKCS12_item_decrypt_d2i_ex(
                    content->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), form.text, form.length,
                    content->enc_data, 1, ctx_, nullptr)));
                return bags != nullptr;
            });
        }
        return bags;
    }

    void read_bag(const PKCS12_SAFEBAG* bag) {
        if (char* name = PKCS12_get_friendlyname(const_cast<PKCS12_SAFEBAG*>(bag))) {
            if (found_.friendly_name.empty()) {
                found_.friendly_name = name;
            }
            OPENSSL_free(name);
        }
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_pkcs8ShroudedKeyBag:
            read_shrouded_key(bag);
            break;
        case NID_keyBag:
            found_.key_encryption = "none";
            key_.emplace(bag_key(ctx_, PKCS12_SAFEBAG_get0_p8inf(bag), source_));
            break;
        case NID_certBag:
            if (X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag)); cert != nullptr) {
                certs_.push_back(std::move(cert));
            }
            break;
        default:
            break;
        }
    }

    void read_shrouded_key(const PKCS12_SAFEBAG* bag) {
        const X509_ALGOR* algorithm = nullptr;
        X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
        if (algorithm == nullptr) {
            throw InputError(fmt::format("{}: the PKCS#12 key bag is damaged", source_));
        }
        found_.key_encryption = algorithm_text(algorithm);
        require_bounded(algorithm, "key encryption", source_);
        Pkcs8InfoPtr info;
        forms_.settle([&](const PasswordForm& form) {
            info.reset(PKCS12_decrypt_skey_ex(bag, form.text, form.length, ctx_, nullptr));
            return info != nullptr;
        });
        key_.emplace(bag_key(ctx_, info.get(), source_));
    }

    OSSL_LIB_CTX* ctx_;
    std::string_view source_;
    PasswordForms forms_;
    Pkcs12Protection found_;
    std::optional<PrivateKey> key_;
    std::vector<X509Ptr> certs_;
};

} // namespace

KeyAndChain read_pkcs12(OSSL_LIB_CTX* ctx, ByteView der,
                        const std::function<SecureString()>& ask_password, std::string_view source,
                        Pkcs12Protection* protection) {
    ERR_clear_error();
    require_one_der_object(der, DerRule::no_trailing, "the PKCS#12 file", source);
    const unsigned char* p = der.data();
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
    if (p12 == nullptr || der.empty()) {
        drain_error_queue();
        throw InputError(fmt::format("{}: not a PKCS#12 (PFX) file", source));
    }
    const SecureString password = ask_password();
    Pkcs12Reader reader(ctx, password, source);
    reader.check_mac(p12.get());
    const Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12.get()));
    if (safes == nullptr) {
        drain_error_queue();
        throw InputError(fmt::format("{}: the PKCS#12 contents cannot be read", source));
    }
    for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
        reader.read_safe(sk_PKCS7_value(safes.get(), i));
    }
    KeyAndChain out = reader.finish(protection);
    ERR_clear_error();
    return out;
}

} // namespace certforge::openssl
