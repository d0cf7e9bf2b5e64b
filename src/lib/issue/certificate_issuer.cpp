// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/path_text.hpp"
#include "certforge/verify.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <utility>

namespace certforge {

CertificateIssuer::CertificateIssuer(Backend& backend, const IssueTarget& target,
                                     const CaFolder* ca, UnixTime now, const CertInfo* ca_info)
    : backend_(backend), target_(target), ca_(ca), now_(now) {
    if (ca_ != nullptr) {
        const std::string where = path_text(ca_->dir / kCaCertFile);
        ca_info_ = ca_info ? *ca_info : backend_.parse_certificate(ca_->certificate_der, where);
        require_ca_fits(*ca_info_, target_, now_, where);
    }
}

CertificateTemplate CertificateIssuer::plan(const CertRequest& request) {
    const Profile& profile = target_.effective;
    CertificateTemplate tmpl =
        leaf_template(profile, request, random_serial(backend_, profile.serial.bytes), now_);
    if (ca_info_) {
        tmpl.not_before = std::max(tmpl.not_before, ca_info_->not_before);
        if (tmpl.not_after > ca_info_->not_after) {
            tmpl.not_after = ca_info_->not_after;
            notices_.push_back(
                {false, fmt::format("the certificate for {} ends with its CA on {}, before the "
                                    "{} days {}: a certificate never outlives its CA",
                                    request.subject.common_name, format_utc(tmpl.not_after),
                                    request.days.value_or(profile.validity.default_days),
                                    request.days ? "asked" : "of its profile")});
        }
    }
    return tmpl;
}

IssuedCertificate CertificateIssuer::issue(const CertRequest& request,
                                           std::optional<PrivateKey> existing_key) {
    return issue(request, plan(request), std::move(existing_key));
}

IssuedCertificate CertificateIssuer::issue(const CertRequest& request,
                                           const CertificateTemplate& planned,
                                           std::optional<PrivateKey> existing_key) {
    CertificateBuilder builder(backend_, target_.effective);
    IssuedCertificate issued = builder.sign_template(
        planned, request, ca_ ? std::optional(ca_->credentials()) : std::nullopt,
        std::move(existing_key));
    const CertInfo info = backend_.parse_certificate(issued.certificate_der, "the new certificate");
    self_check(info);
    note_weak(info);
    return issued;
}

Bytes CertificateIssuer::issue_for_csr(const CsrInfo& csr, CertInfo* parsed) {
    if (ca_ == nullptr) {
        throw InternalError("a request is signed by a CA, and none was given");
    }
    const CertRequest request = request_from_csr(target_.effective, csr);
    const CertificateTemplate tmpl = plan(request);
    Bytes der = backend_.sign_public_key(tmpl, csr.public_key_info, ca_->credentials());
    CertInfo info = backend_.parse_certificate(der, "the new certificate");
    self_check(info);
    note_weak(info);
    if (parsed != nullptr) {
        *parsed = std::move(info);
    }
    return der;
}

void CertificateIssuer::self_check(const CertInfo& certificate) {
    std::vector<CertInfo> chain{certificate};
    if (ca_info_) {
        chain.push_back(*ca_info_);
    }
    for (const auto& profile : target_.profiles) {
        const Report report =
            verify_chain(chain, profile, now_, {CertificateRole::leaf, &backend_});
        if (const auto error = first_error(report)) {
            throw InternalError(fmt::format("certforge made a certificate for {} that profile "
                                            "'{}' refuses ({}: {}); nothing was written",
                                            certificate.subject.to_string(), profile.id,
                                            error->rule, error->message));
        }
    }
}

void CertificateIssuer::note_weak(const CertInfo& certificate) {
    const auto warning = weak_crypto_warning(
        fmt::format("the certificate for {}", certificate.subject.common_name().value_or("")),
        certificate.signature_hash, certificate.key_bits, target_.names());
    if (warning) {
        notices_.push_back({true, *warning});
    }
}

std::vector<IssueNotice> CertificateIssuer::take_notices() {
    return std::exchange(notices_, {});
}

} // namespace certforge
