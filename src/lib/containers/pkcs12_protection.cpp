// SPDX-License-Identifier: Apache-2.0
// What protects a PFX: its algorithms as text, and the bounds on their
// iteration counts.
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"
#include "openssl_containers.hpp"

#include <fmt/format.h>

namespace certforge::openssl {

std::string object_text(const ASN1_OBJECT* object) {
    const int nid = OBJ_obj2nid(object);
    if (nid != NID_undef) {
        return OBJ_nid2sn(nid);
    }
    char buffer[128];
    OBJ_obj2txt(buffer, sizeof buffer, object, 1);
    return buffer;
}

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

} // namespace certforge::openssl
