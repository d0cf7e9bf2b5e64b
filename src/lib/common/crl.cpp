// SPDX-License-Identifier: Apache-2.0
#include "certforge/crl.hpp"

#include "certforge/errors.hpp"
#include "certforge/text.hpp"

#include <array>
#include <fmt/format.h>
#include <utility>

namespace certforge {
namespace {

struct ReasonName {
    RevocationReason reason;
    std::string_view name;     // what certforge prints
    std::string_view rfc_name; // RFC 5280's spelling
};

constexpr std::array<ReasonName, 9> kReasons{{
    {RevocationReason::unspecified, "unspecified", "unspecified"},
    {RevocationReason::key_compromise, "key-compromise", "keyCompromise"},
    {RevocationReason::ca_compromise, "ca-compromise", "cACompromise"},
    {RevocationReason::affiliation_changed, "affiliation-changed", "affiliationChanged"},
    {RevocationReason::superseded, "superseded", "superseded"},
    {RevocationReason::cessation_of_operation, "cessation-of-operation", "cessationOfOperation"},
    {RevocationReason::certificate_hold, "certificate-hold", "certificateHold"},
    {RevocationReason::privilege_withdrawn, "privilege-withdrawn", "privilegeWithdrawn"},
    {RevocationReason::aa_compromise, "aa-compromise", "aACompromise"},
}};

} // namespace

std::string_view to_string(RevocationReason reason) {
    for (const auto& entry : kReasons) {
        if (entry.reason == reason) {
            return entry.name;
        }
    }
    return "unspecified";
}

RevocationReason revocation_reason_from_name(std::string_view name) {
    const std::string wanted = to_lower(name);
    std::vector<std::string_view> names;
    for (const auto& entry : kReasons) {
        if (wanted == entry.name || wanted == to_lower(entry.rfc_name)) {
            return entry.reason;
        }
        names.push_back(entry.name);
    }
    throw UsageError(
        fmt::format("unknown revocation reason '{}' (one of: {})", name, fmt::join(names, ", ")));
}

const std::vector<RevocationReason>& all_revocation_reasons() {
    static const std::vector<RevocationReason> reasons = [] {
        std::vector<RevocationReason> out;
        for (const auto& entry : kReasons) {
            out.push_back(entry.reason);
        }
        return out;
    }();
    return reasons;
}

} // namespace certforge
