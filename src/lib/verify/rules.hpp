// Internal: the verifier's rules, one function each, in report order.
#pragma once

#include "certforge/verify.hpp"

#include <optional>
#include <vector>

namespace certforge::detail {

struct RuleContext {
    const CertInfo& cert;
    CertificateRole role;
    const Profile& profile;
    UnixTime now;
};

struct Rule {
    std::string_view id;
    bool for_leaf;
    bool for_ca;
    Finding (*check)(const RuleContext&);
};

const std::vector<Rule>& certificate_rules();

// Length, links and, with a backend, signatures of a chain (leaf first).
std::vector<Finding> chain_findings(const std::vector<CertInfo>& chain, const Profile& profile,
                                    const Backend* signatures);

// The error finding for extensions that occur more than once, when any do.
std::optional<Finding> duplicate_extensions_finding(const CertInfo& cert);

// The finding that says a self-signed CA:TRUE certificate is judged as the
// server certificate it is used as.
Finding server_role_finding(const CertInfo& cert);

} // namespace certforge::detail
