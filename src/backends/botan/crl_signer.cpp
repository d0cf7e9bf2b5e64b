// SPDX-License-Identifier: Apache-2.0
#include "botan_backend.hpp"
#include "certforge/errors.hpp"

#include <botan/bigint.h>
#include <botan/der_enc.h>
#include <botan/pkix_types.h>
#include <botan/pubkey.h>
#include <botan/x509_ca.h>
#include <botan/x509_obj.h>
#include <fmt/format.h>

// Botan 2's X509_CA numbers and dates a CRL itself (the last number plus
// one, the current time), so certforge encodes the TBSCertList with Botan's
// DER_Encoder and lets Botan sign it.
namespace certforge::botan {
namespace {

const Botan::OID kReasonCode = Botan::OID::from_string("2.5.29.21");
const Botan::OID kCrlNumber = Botan::OID::from_string("2.5.29.20");
const Botan::OID kAuthorityKeyId = Botan::OID::from_string("2.5.29.35");

Botan::BigInt integer(ByteView big_endian) {
    return Botan::BigInt(big_endian.data(), big_endian.size());
}

// Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }
void add_extension(Botan::DER_Encoder& der, const Botan::OID& oid,
                   const std::vector<uint8_t>& value) {
    der.start_cons(Botan::SEQUENCE).encode(oid).encode(value, Botan::OCTET_STRING).end_cons();
}

std::vector<uint8_t> reason_code(RevocationReason reason) {
    std::vector<uint8_t> out;
    Botan::DER_Encoder(out).encode(static_cast<std::size_t>(reason), Botan::ENUMERATED,
                                   Botan::UNIVERSAL);
    return out;
}

std::vector<uint8_t> crl_number(ByteView number) {
    std::vector<uint8_t> out;
    Botan::DER_Encoder(out).encode(integer(number));
    return out;
}

// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
std::vector<uint8_t> authority_key_id(const std::vector<uint8_t>& key_id) {
    std::vector<uint8_t> out;
    Botan::DER_Encoder(out)
        .start_cons(Botan::SEQUENCE)
        .encode(key_id, Botan::OCTET_STRING, static_cast<Botan::ASN1_Tag>(0),
                Botan::CONTEXT_SPECIFIC)
        .end_cons();
    return out;
}

} // namespace

Bytes sign_crl(Botan::RandomNumberGenerator& rng, const CrlTemplate& tmpl, const LoadedCa& ca) {
    try {
        Botan::AlgorithmIdentifier signature_algorithm;
        const std::unique_ptr<Botan::PK_Signer> signer(Botan::choose_sig_format(
            *ca.key, rng, botan_hash_name(tmpl.signature_hash), signature_algorithm));

        Botan::secure_vector<uint8_t> tbs;
        Botan::DER_Encoder der(tbs);
        der.start_cons(Botan::SEQUENCE)
            .encode(std::size_t{1})
            .encode(signature_algorithm)
            .encode(ca.certificate.subject_dn())
            .encode(to_time(tmpl.this_update))
            .encode(to_time(tmpl.next_update));
        if (!tmpl.revoked.empty()) {
            der.start_cons(Botan::SEQUENCE);
            for (const auto& entry : tmpl.revoked) {
                der.start_cons(Botan::SEQUENCE)
                    .encode(integer(entry.serial))
                    .encode(to_time(entry.revoked_at));
                if (entry.reason != RevocationReason::unspecified) {
                    der.start_cons(Botan::SEQUENCE);
                    add_extension(der, kReasonCode, reason_code(entry.reason));
                    der.end_cons();
                }
                der.end_cons();
            }
            der.end_cons();
        }
        der.start_explicit(0).start_cons(Botan::SEQUENCE);
        add_extension(der, kCrlNumber, crl_number(tmpl.crl_number));
        add_extension(der, kAuthorityKeyId, authority_key_id(subject_key_id_of(ca.certificate)));
        der.end_cons().end_explicit();
        der.end_cons();
        return Botan::X509_Object::make_signed(signer.get(), rng, signature_algorithm, tbs);
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("signing the CRL with {} failed: Botan: {}",
                                      to_string(tmpl.signature_hash), e.what()));
    }
}

} // namespace certforge::botan
