// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "openssl_backend.hpp"
#include "openssl_error.hpp"

namespace certforge::openssl {
namespace {

Asn1IntegerPtr integer(ByteView big_endian) {
    BignumPtr value(BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), nullptr));
    check(value != nullptr, "cannot encode an integer");
    Asn1IntegerPtr out(BN_to_ASN1_INTEGER(value.get(), nullptr));
    check(out != nullptr, "cannot encode an integer");
    return out;
}

Asn1TimePtr asn1_time(UnixTime when) {
    Asn1TimePtr out(ASN1_TIME_new());
    check(out != nullptr, "cannot allocate a time");
    set_time(out.get(), when);
    return out;
}

X509RevokedPtr revoked_entry(const RevokedCertificate& entry) {
    X509RevokedPtr revoked(X509_REVOKED_new());
    check(revoked != nullptr, "cannot allocate a CRL entry");
    check(X509_REVOKED_set_serialNumber(revoked.get(), integer(entry.serial).get()) == 1,
          "cannot set a revoked serial number");
    check(X509_REVOKED_set_revocationDate(revoked.get(), asn1_time(entry.revoked_at).get()) == 1,
          "cannot set a revocation date");
    if (entry.reason != RevocationReason::unspecified) {
        Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
        check(code != nullptr &&
                  ASN1_ENUMERATED_set(code.get(), static_cast<long>(entry.reason)) == 1,
              "cannot encode a revocation reason");
        check(X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0, 0) == 1,
              "cannot add a revocation reason");
    }
    return revoked;
}

} // namespace

Bytes sign_crl(OSSL_LIB_CTX* ctx, const CrlTemplate& tmpl, const LoadedCa& ca) {
    ERR_clear_error();

    X509CrlPtr crl(X509_CRL_new_ex(ctx, nullptr));
    check(crl != nullptr, "cannot allocate a CRL");
    check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) == 1, "cannot set the CRL version");
    check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.certificate.get())) == 1,
          "cannot set the CRL issuer");
    check(X509_CRL_set1_lastUpdate(crl.get(), asn1_time(tmpl.this_update).get()) == 1,
          "cannot set thisUpdate");
    check(X509_CRL_set1_nextUpdate(crl.get(), asn1_time(tmpl.next_update).get()) == 1,
          "cannot set nextUpdate");
    for (const auto& entry : tmpl.revoked) {
        X509RevokedPtr revoked = revoked_entry(entry);
        check(X509_CRL_add0_revoked(crl.get(), revoked.get()) == 1, "cannot add a CRL entry");
        static_cast<void>(revoked.release());
    }

    check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, integer(tmpl.crl_number).get(), 0, 0) ==
              1,
          "cannot add the CRL number");
    AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
    check(akid != nullptr, "cannot allocate authorityKeyIdentifier");
    akid->keyid = octet_string(subject_key_id_of(ctx, ca.certificate.get())).release();
    check(X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, akid.get(), 0, 0) == 1,
          "cannot add authorityKeyIdentifier");

    const MdCtxPtr md_ctx = signing_context(ctx, ca.key.get(), tmpl.signature_hash, "CRL");
    const int signed_length = X509_CRL_sign_ctx(crl.get(), md_ctx.get());
    rethrow_token_failure();
    check(signed_length > 0, signing_refused(tmpl.signature_hash, "CRL"));

    return to_der(crl.get(), i2d_X509_CRL, "the CRL");
}

} // namespace certforge::openssl
