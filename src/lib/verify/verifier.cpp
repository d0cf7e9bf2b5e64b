// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/verify.hpp"
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {

std::string_view to_string(Severity severity) {
    switch (severity) {
    case Severity::error:
        return "error";
    case Severity::warning:
        return "warning";
    case Severity::info:
        break;
    }
    return "info";
}

std::string_view to_string(Outcome outcome) {
    return outcome == Outcome::pass ? "pass" : "fail";
}

std::string_view to_string(CertificateRole role) {
    return role == CertificateRole::ca ? "ca" : "leaf";
}

std::size_t Report::count(Outcome outcome, Severity severity) const {
    auto matches = [&](const Finding& f) {
        return f.outcome == outcome && (outcome == Outcome::pass || f.severity == severity);
    };
    std::size_t n = static_cast<std::size_t>(
        std::count_if(chain_findings.begin(), chain_findings.end(), matches) +
        std::count_if(container_findings.begin(), container_findings.end(), matches));
    for (const auto& cert : certificates) {
        n += static_cast<std::size_t>(
            std::count_if(cert.findings.begin(), cert.findings.end(), matches));
    }
    return n;
}

bool Report::has_errors() const {
    return count(Outcome::fail, Severity::error) > 0;
}

std::vector<Finding> check_certificate(const CertInfo& cert, CertificateRole role,
                                       const Profile& profile, UnixTime now) {
    const detail::RuleContext context{cert, role, profile, now};
    std::vector<Finding> findings;
    for (const auto& rule : detail::certificate_rules()) {
        if (role == CertificateRole::leaf ? rule.for_leaf : rule.for_ca) {
            findings.push_back(rule.check(context));
        }
    }
    if (auto duplicates = detail::duplicate_extensions_finding(cert)) {
        findings.push_back(std::move(*duplicates));
    }
    return findings;
}

Report verify_chain(const std::vector<CertInfo>& chain, const Profile& profile, UnixTime now,
                    const ChainOptions& options) {
    Report report;
    report.profile_id = profile.id;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const auto role = i == 0 ? options.first_role : CertificateRole::ca;
        report.certificates.push_back({i, role, chain[i].subject.to_string(), serial_hex(chain[i]),
                                       sha256_hex(chain[i]),
                                       check_certificate(chain[i], role, profile, now)});
    }
    if (!chain.empty() && options.first_role == CertificateRole::leaf && chain[0].is_ca()) {
        report.certificates[0].findings.push_back(detail::server_role_finding(chain[0]));
    }
    report.chain_findings = detail::chain_findings(chain, profile, options.signatures);
    return report;
}

std::optional<Finding> first_error(const Report& report) {
    const auto error = [](const Finding& f) {
        return f.outcome == Outcome::fail && f.severity == Severity::error;
    };
    for (const auto* findings : {&report.chain_findings, &report.container_findings}) {
        const auto found = std::find_if(findings->begin(), findings->end(), error);
        if (found != findings->end()) {
            return *found;
        }
    }
    for (const auto& cert : report.certificates) {
        const auto found = std::find_if(cert.findings.begin(), cert.findings.end(), error);
        if (found != cert.findings.end()) {
            return *found;
        }
    }
    return std::nullopt;
}

namespace {

nlohmann::json finding_json(const Finding& f) {
    return {{"rule", f.rule},
            {"status", to_string(f.outcome)},
            {"severity", to_string(f.severity)},
            {"message", f.message},
            {"profile_key", f.profile_key}};
}

} // namespace

nlohmann::json to_json(const Report& report) {
    nlohmann::json certificates = nlohmann::json::array();
    for (const auto& cert : report.certificates) {
        nlohmann::json findings = nlohmann::json::array();
        for (const auto& f : cert.findings) {
            findings.push_back(finding_json(f));
        }
        certificates.push_back({{"index", cert.index},
                                {"role", to_string(cert.role)},
                                {"subject", cert.subject},
                                {"serial", cert.serial},
                                {"sha256", cert.sha256_fingerprint},
                                {"findings", std::move(findings)}});
    }
    nlohmann::json chain = nlohmann::json::array();
    for (const auto& f : report.chain_findings) {
        chain.push_back(finding_json(f));
    }
    nlohmann::json container = nlohmann::json::array();
    for (const auto& f : report.container_findings) {
        container.push_back(finding_json(f));
    }
    return {{"file", report.source},
            {"profile", report.profile_id},
            {"result", report.has_errors() ? "fail" : "pass"},
            {"summary",
             {{"passed", report.count(Outcome::pass, Severity::info)},
              {"errors", report.count(Outcome::fail, Severity::error)},
              {"warnings", report.count(Outcome::fail, Severity::warning)}}},
            {"certificates", std::move(certificates)},
            {"chain", std::move(chain)},
            {"container", std::move(container)}};
}

} // namespace certforge
