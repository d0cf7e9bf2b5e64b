// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/verify.hpp"

#include <fmt/format.h>

namespace certforge {

namespace {
constexpr UnixTime kDay = 86400;
} // namespace

void require_ca_fits(const CertInfo& ca, const IssueTarget& target, UnixTime now,
                     std::string_view where) {
    const std::string& first = target.profiles.front().id;
    if (now < ca.not_before) {
        throw RefusedError("validity.current", first,
                           fmt::format("the CA certificate {} is not valid before {}", where,
                                       format_utc(ca.not_before)),
                           FixHint::ca_renewal);
    }
    if (now > ca.not_after) {
        throw RefusedError(
            "validity.current", first,
            fmt::format("the CA certificate {} expired on {}", where, format_utc(ca.not_after)),
            FixHint::ca_renewal);
    }
    if (ca.not_after - now < static_cast<UnixTime>(kMinimumCaDaysLeft) * kDay) {
        throw RefusedError("validity.current", first,
                           fmt::format("the CA certificate {} ends on {}, in {} days: a CA needs "
                                       "at least {} days left to issue",
                                       where, format_utc(ca.not_after), (ca.not_after - now) / kDay,
                                       kMinimumCaDaysLeft),
                           FixHint::ca_renewal);
    }
    for (const auto& profile : target.profiles) {
        if (profile.certificate.max_chain_length < 2) {
            throw RefusedError("chain.length", profile.id,
                               fmt::format("profile '{}' allows a chain of one certificate only "
                                           "(certificate.max_chain_length): its devices take a "
                                           "self-signed certificate, not one from a CA",
                                           profile.id),
                               FixHint::none);
        }
        for (const auto& finding : check_certificate(ca, CertificateRole::ca, profile, now)) {
            if (finding.outcome == Outcome::fail && finding.severity == Severity::error) {
                throw RefusedError(
                    finding.rule, profile.id,
                    fmt::format("the CA certificate {} does not fit profile '{}': {}", where,
                                profile.id, finding.message),
                    FixHint::ca_for_profile);
            }
        }
    }
}

} // namespace certforge
