#include "certforge/algorithms.hpp"
#include "certforge/containers.hpp"
#include "certforge/der_framing.hpp"
#include "certforge/errors.hpp"
#include "certforge/text.hpp"
#include "library_context.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"
#include "openssl_factory.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace openssl {
namespace {

// PKCS#12 and PKCS#7 in a library context of their own, with the legacy
// provider loaded (for RC2) next to the default one, so that nothing outside
// this object sees legacy algorithms.
class OpenSslContainerCodec final : public ContainerCodec {
public:
    OpenSslContainerCodec() : ctx_(new_library_context()) {
        default_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
        check(default_ != nullptr, "cannot load OpenSSL's default provider");
        legacy_.reset(OSSL_PROVIDER_load(ctx_.get(), "legacy"));
        ERR_clear_error();
    }

    Bytes write_pkcs12(const KeyAndChain& contents, const SecureString& password,
                       const Pkcs12Options& options) override;
    KeyAndChain read_pkcs12(ByteView der, const std::function<SecureString()>& password,
                            std::string_view source, Pkcs12Protection* protection) override;
    Bytes write_pkcs7(const std::vector<Bytes>& certificates) override;
    std::vector<Bytes> read_pkcs7(ByteView der, std::string_view source) override;

private:
    LibCtxPtr ctx_;
    ProviderPtr default_;
    ProviderPtr legacy_;
};

Bytes encode_pkcs12(PKCS12* p12) {
    return to_der(p12, i2d_PKCS12, "the PKCS#12 file");
}

std::string object_text(const ASN1_OBJECT* object) {
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
        return OBJ_nid2sn(nid);
    }
    char buffer[128];
    OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return buffer;
}

// "pbeWithSHA1And3-KeyTripleDES-CBC", or for PBES2
// "PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC".
std::string algorithm_text(const X509_ALGOR* algorithm) {
    const ASN1_OBJECT* oid = nullptr;
    const void* parameter = nullptr;
    int parameter_type = 0;
    X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
    if (OBJ_obj2nid(oid) != NID_pbes2 || parameter_type != V_ASN1_SEQUENCE) {
        return object_text(oid);
    }
    const Pbe2ParamPtr pbe2(static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), algorithm->parameter)));
    if (pbe2 == nullptr) {
        ERR_clear_error();
        return "PBES2/unreadable";
    }
    std::string prf = "hmacWithSHA1";
    if (OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2) {
        const Pbkdf2ParamPtr kdf(static_cast<PBKDF2PARAM*>(
            ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
        if (kdf != nullptr && kdf->prf != nullptr) {
            prf = object_text(kdf->prf->algorithm);
        }
    }
    return fmt::format("PBES2/{}-{}/{}", object_text(pbe2->keyfunc->algorithm), prf,
                       object_text(pbe2->encryption->algorithm));
}

std::optional<Pkcs12Encryption> scheme_of(const Pkcs12Protection& p) {
    const std::string aes = "PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC";
    const std::string des = "PBE-SHA1-3DES";
    const std::string rc2 = "PBE-SHA1-RC2-40";
    if (p.key_encryption == aes && p.certificate_encryption == aes && p.mac == "sha256") {
        return Pkcs12Encryption::aes;
    }
    if (p.key_encryption == des && p.certificate_encryption == des && p.mac == "sha1") {
        return Pkcs12Encryption::triple_des;
    }
    if (p.key_encryption == des && p.certificate_encryption == rc2 && p.mac == "sha1") {
        return Pkcs12Encryption::rc2;
    }
    return std::nullopt;
}

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

// Refuses an iteration count that cannot be read or lies outside 1 to the
// cap, before any work is spent on it.
void require_bounded(const ASN1_INTEGER* iterations, std::string_view what,
                     std::string_view source) {
    std::int64_t count = 0;
    if (iterations == nullptr) {
        drain_error_queue();
        throw InputError(fmt::format("{}: the PKCS#12 {} parameters cannot be read", source, what));
    }
    if (ASN1_INTEGER_get_int64(&count, iterations) == 1 && count >= 1 &&
        count <= kMaxPkcs12Iterations) {
        return;
    }
    ERR_clear_error();
    const BignumPtr number(ASN1_INTEGER_to_BN(iterations, nullptr));
    char* text = number == nullptr ? nullptr : BN_bn2dec(number.get());
    const std::string shown = text == nullptr ? std::string("an unreadable number of") : text;
    OPENSSL_free(text);
    throw InputError(fmt::format("{}: the PKCS#12 {} asks for {} iterations; certforge reads 1 "
                                 "to {} (Windows refuses more too)",
                                 source, what, shown, kMaxPkcs12Iterations));
}

// Refuses an encryption algorithm (PKCS#12 PBE, or PBES2 with PBKDF2) whose
// iteration count cannot be read or lies outside 1 to the cap.
void require_bounded(const X509_ALGOR* algorithm, std::string_view what, std::string_view source) {
    const ASN1_OBJECT* oid = nullptr;
    const void* parameter = nullptr;
    int parameter_type = 0;
    X509_ALGOR_get0(&oid, &parameter_type, &parameter, algorithm);
    const auto* sequence =
        parameter_type == V_ASN1_SEQUENCE ? static_cast<const ASN1_STRING*>(parameter) : nullptr;
    if (sequence == nullptr) {
        require_bounded(static_cast<const ASN1_INTEGER*>(nullptr), what, source);
    }
    if (OBJ_obj2nid(oid) != NID_pbes2) {
        const PbeParamPtr pbe(
            static_cast<PBEPARAM*>(ASN1_item_unpack(sequence, ASN1_ITEM_rptr(PBEPARAM))));
        require_bounded(pbe == nullptr ? nullptr : pbe->iter, what, source);
        return;
    }
    const Pbe2ParamPtr pbe2(
        static_cast<PBE2PARAM*>(ASN1_item_unpack(sequence, ASN1_ITEM_rptr(PBE2PARAM))));
    if (pbe2 != nullptr && pbe2->keyfunc != nullptr &&
        OBJ_obj2nid(pbe2->keyfunc->algorithm) != NID_id_pbkdf2) {
        throw InputError(fmt::format("{}: the PKCS#12 {} derives its key with {}; certforge "
                                     "reads PKCS#12 PBE and PBKDF2",
                                     source, what, object_text(pbe2->keyfunc->algorithm)));
    }
    const Pbkdf2ParamPtr kdf(pbe2 == nullptr || pbe2->keyfunc == nullptr
                                 ? nullptr
                                 : static_cast<PBKDF2PARAM*>(ASN1_TYPE_unpack_sequence(
                                       ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
    require_bounded(kdf == nullptr ? nullptr : kdf->iter, what, source);
}

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

Bytes certificate_der(X509* cert) {
    return to_der(cert, i2d_X509, "a certificate");
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

Bytes create_pkcs12(OSSL_LIB_CTX* ctx, bool have_legacy, const KeyAndChain& contents,
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

} // namespace

Bytes OpenSslContainerCodec::write_pkcs12(const KeyAndChain& contents, const SecureString& password,
                                          const Pkcs12Options& options) {
    return create_pkcs12(ctx_.get(), legacy_ != nullptr, contents, password, options);
}

KeyAndChain OpenSslContainerCodec::read_pkcs12(ByteView der,
                                               const std::function<SecureString()>& ask_password,
                                               std::string_view source,
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
    PasswordForms forms(password, source);
    Pkcs12Protection found;
    if (PKCS12_mac_present(p12.get())) {
        const X509_ALGOR* mac_algorithm = nullptr;
        const ASN1_INTEGER* iterations = nullptr;
        PKCS12_get0_mac(nullptr, &mac_algorithm, nullptr, &iterations, p12.get());
        if (iterations != nullptr) {
            require_bounded(iterations, "integrity check (MAC)", source);
        }
        forms.settle([&](const PasswordForm& form) {
            return PKCS12_verify_mac(p12.get(), form.text, form.length) == 1;
        });
        const ASN1_OBJECT* mac_oid = nullptr;
        X509_ALGOR_get0(&mac_oid, nullptr, nullptr, mac_algorithm);
        found.mac = to_lower(object_text(mac_oid));
        found.mac_iterations =
            iterations == nullptr ? 1 : static_cast<int>(ASN1_INTEGER_get(iterations));
    }

    const Pkcs7StackPtr safes(PKCS12_unpack_authsafes(p12.get()));
    if (safes == nullptr) {
        drain_error_queue();
        throw InputError(fmt::format("{}: the PKCS#12 contents cannot be read", source));
    }
    std::optional<PrivateKey> key;
    std::vector<X509Ptr> certs;
    for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
        PKCS7* safe = sk_PKCS7_value(safes.get(), i);
        SafeBagStackPtr bags;
        const int type = OBJ_obj2nid(safe->type);
        if (type == NID_pkcs7_data) {
            bags.reset(PKCS12_unpack_p7data(safe));
        } else if (type == NID_pkcs7_encrypted && safe->d.encrypted != nullptr &&
                   safe->d.encrypted->enc_data != nullptr) {
            // Decrypted in this object's library context: RC2 is in its
            // legacy provider, not in the default context that
            // PKCS12_unpack_p7encdata would use.
            const PKCS7_ENC_CONTENT* content = safe->d.encrypted->enc_data;
            found.certificate_encryption = algorithm_text(content->algorithm);
            require_bounded(content->algorithm, "certificate encryption", source);
            forms.settle([&](const PasswordForm& form) {
                bags.reset(static_cast<STACK_OF(PKCS12_SAFEBAG)*>(PKCS12_item_decrypt_d2i_ex(
                    content->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), form.text, form.length,
                    content->enc_data, 1, ctx_.get(), nullptr)));
                return bags != nullptr;
            });
        }
        if (bags == nullptr) {
            continue;
        }
        for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags.get()); ++j) {
            const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags.get(), j);
            if (char* name = PKCS12_get_friendlyname(const_cast<PKCS12_SAFEBAG*>(bag))) {
                if (found.friendly_name.empty()) {
                    found.friendly_name = name;
                }
                OPENSSL_free(name);
            }
            switch (PKCS12_SAFEBAG_get_nid(bag)) {
            case NID_pkcs8ShroudedKeyBag: {
                const X509_ALGOR* algorithm = nullptr;
                X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
                if (algorithm == nullptr) {
                    throw InputError(fmt::format("{}: the PKCS#12 key bag is damaged", source));
                }
                found.key_encryption = algorithm_text(algorithm);
                require_bounded(algorithm, "key encryption", source);
                Pkcs8InfoPtr info;
                forms.settle([&](const PasswordForm& form) {
                    info.reset(
                        PKCS12_decrypt_skey_ex(bag, form.text, form.length, ctx_.get(), nullptr));
                    return info != nullptr;
                });
                key.emplace(bag_key(ctx_.get(), info.get(), source));
                break;
            }
            case NID_keyBag:
                found.key_encryption = "none";
                key.emplace(bag_key(ctx_.get(), PKCS12_SAFEBAG_get0_p8inf(bag), source));
                break;
            case NID_certBag: {
                X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag));
                if (cert != nullptr) {
                    certs.push_back(std::move(cert));
                }
                break;
            }
            default:
                break;
            }
        }
    }
    found.scheme = scheme_of(found);
    PkeyPtr pkey;
    if (key) {
        pkey = load_private_key(ctx_.get(), *key);
    }
    KeyAndChain out;
    out.chain = order_chain(std::move(certs), pkey.get());
    out.key = std::move(key);
    if (protection != nullptr) {
        *protection = found;
    }
    ERR_clear_error();
    return out;
}

Bytes OpenSslContainerCodec::write_pkcs7(const std::vector<Bytes>& certificates) {
    ERR_clear_error();
    const Pkcs7Ptr p7(PKCS7_new_ex(ctx_.get(), nullptr));
    check(p7 != nullptr && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
              PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1,
          "cannot create the PKCS#7 structure");
    for (const auto& der : certificates) {
        const X509Ptr cert = load_certificate(ctx_.get(), der, "certificate");
        check(PKCS7_add_certificate(p7.get(), cert.get()) == 1, "cannot add a certificate");
    }
    return to_der(p7.get(), i2d_PKCS7, "the PKCS#7 structure");
}

std::vector<Bytes> OpenSslContainerCodec::read_pkcs7(ByteView der, std::string_view source) {
    ERR_clear_error();
    require_one_der_object(der, DerRule::no_trailing, "the PKCS#7 bundle", source);
    const unsigned char* p = der.data();
    const Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (p7 == nullptr || der.empty() || OBJ_obj2nid(p7->type) != NID_pkcs7_signed) {
        drain_error_queue();
        throw InputError(fmt::format("{}: not a PKCS#7 certificate bundle (.p7b)", source));
    }
    std::vector<Bytes> out;
    const STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; certs != nullptr && i < sk_X509_num(certs); ++i) {
        out.push_back(certificate_der(sk_X509_value(certs, i)));
    }
    if (out.empty()) {
        throw InputError(fmt::format("{}: the PKCS#7 bundle holds no certificate", source));
    }
    return out;
}

} // namespace openssl

std::unique_ptr<ContainerCodec> make_openssl_container_codec() {
    return std::make_unique<openssl::OpenSslContainerCodec>();
}

} // namespace certforge
