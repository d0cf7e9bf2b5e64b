// SPDX-License-Identifier: Apache-2.0
// Internal: the verifier's rules, one function each, in report order.
#pragma once

#include "certforge/verify.hpp"

#include <optional>
#include <string>
#include <string_view>
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

// The rules a certificate is checked against, in report order
// (certificate_rules.cpp); each check is in the file of its group below.
const std::vector<Rule>& certificate_rules();

// The finding of rule `rule` that passed (severity info), or failed with
// `severity`; `key` is the profile key the rule reads ("" for none).
inline Finding pass(std::string_view rule, std::string_view key, std::string message) {
    return {std::string(rule), Outcome::pass, Severity::info, std::move(message), std::string(key)};
}
inline Finding fail(std::string_view rule, std::string_view key, Severity severity,
                    std::string message) {
    return {std::string(rule), Outcome::fail, severity, std::move(message), std::string(key)};
}

// The certificate as a whole (certificate_rules.cpp): certificate.version,
// serial.size.
Finding check_version(const RuleContext& c);
Finding check_serial(const RuleContext& c);

// Signature and key (crypto_rules.cpp): signature.hash, key.algorithm,
// key.size.
Finding check_signature_hash(const RuleContext& c);
Finding check_key_algorithm(const RuleContext& c);
Finding check_key_size(const RuleContext& c);

// Validity (validity_rules.cpp): validity.length against the profile's
// maximum (the CA's for a CA), validity.current against `now`.
Finding check_validity_length(const RuleContext& c);
Finding check_validity_now(const RuleContext& c);

// Names (name_rules.cpp): san.present, san.covers-cn, san.ip,
// names.characters.
Finding check_san_present(const RuleContext& c);
Finding check_san_covers_cn(const RuleContext& c);
Finding check_ip_san(const RuleContext& c);
Finding check_name_characters(const RuleContext& c);

// Extensions (extension_rules.cpp): extensions.key-usage,
// extensions.extended-key-usage, extensions.basic-constraints.
Finding check_key_usage(const RuleContext& c);
Finding check_extended_key_usage(const RuleContext& c);
Finding check_basic_constraints(const RuleContext& c);

// Length, links and, with a backend, signatures of a chain (leaf first)
// (chain_rules.cpp).
std::vector<Finding> chain_findings(const std::vector<CertInfo>& chain, const Profile& profile,
                                    const Backend* signatures);

// The error finding for extensions that occur more than once, when any do
// (extension_rules.cpp).
std::optional<Finding> duplicate_extensions_finding(const CertInfo& cert);

// The finding that says a self-signed CA:TRUE certificate is judged as the
// server certificate it is used as (certificate_rules.cpp).
Finding server_role_finding(const CertInfo& cert);

} // namespace certforge::detail
