// SPDX-License-Identifier: Apache-2.0
#include "probe_outcome.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {

std::vector<Profile> hosts_for(const std::string& server_os) {
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<Profile> hosts;
    if (!server_os.empty()) {
        Profile host = catalog.load(server_os);
        if (host.kind != ProfileKind::host) {
            throw UsageError(fmt::format("'{}' is a device profile; --server-os takes a host "
                                         "profile (certforge profiles list --kind host)",
                                         host.id));
        }
        hosts.push_back(std::move(host));
        return hosts;
    }
    for (const auto& entry : catalog.entries()) {
        Profile p = catalog.load_file(entry.file);
        if (p.kind == ProfileKind::host) {
            hosts.push_back(std::move(p));
        }
    }
    return hosts;
}

std::optional<SchannelChange> merged_fix(const std::vector<Diagnosis>& diagnoses) {
    std::optional<SchannelChange> out;
    for (const auto& d : diagnoses) {
        if (!d.registry) {
            continue;
        }
        if (!out) {
            out = SchannelChange{};
            out->side = SchannelSide::client;
        }
        out->enable.insert(out->enable.end(), d.registry->enable.begin(), d.registry->enable.end());
        out->disable.insert(out->disable.end(), d.registry->disable.begin(),
                            d.registry->disable.end());
        if (d.registry->dh_client_min_bits) {
            out->dh_client_min_bits = d.registry->dh_client_min_bits;
        }
        out->disable_dh = out->disable_dh || d.registry->disable_dh;
    }
    return out;
}

void print_versions(const ProbeReport& report) {
    for (const auto& v : report.versions) {
        if (!v.testable) {
            fmt::print("  {:<8} {}\n", schannel_key_name(v.version), v.failure);
            continue;
        }
        if (!v.supported) {
            fmt::print("  {:<8} no ({})\n", schannel_key_name(v.version), v.failure);
            continue;
        }
        fmt::print("  {:<8} yes, {} suite{} in the server's order:\n", schannel_key_name(v.version),
                   v.ciphers.size(), v.ciphers.size() == 1 ? "" : "s");
        for (const auto& c : v.ciphers) {
            const std::string detail = c.dh_bits > 0      ? fmt::format("dh {}", c.dh_bits)
                                       : !c.curve.empty() ? c.curve
                                                          : c.kx;
            fmt::print("    {:<48} {}\n", c.name, detail);
        }
    }
}

nlohmann::json outcome_json(const ProbeOutcome& outcome) {
    nlohmann::json json = to_json(outcome.report);
    nlohmann::json certificates = nlohmann::json::array();
    for (const auto& c : outcome.chain) {
        certificates.push_back(certificate_json(c));
    }
    json["certificates"] = certificates;
    nlohmann::json diagnosis = nlohmann::json::array();
    for (const auto& [host, found] : outcome.diagnoses) {
        nlohmann::json cases = nlohmann::json::array();
        for (const auto& d : found) {
            cases.push_back(
                {{"case", d.id}, {"evidence", d.evidence}, {"fix", d.fix}, {"risk", d.risk}});
        }
        diagnosis.push_back({{"host", host->id}, {"os", host->host.os}, {"cases", cases}});
    }
    json["diagnosis"] = diagnosis;
    if (outcome.fix) {
        json["schannel_fix"] = to_json(*outcome.fix);
    }
    if (outcome.findings) {
        json["verify"] = to_json(*outcome.findings);
    }
    return json;
}

void print_outcome(const ProbeOutcome& outcome) {
    fmt::print("{}:{}\n", outcome.target.host, outcome.target.port);
    print_versions(outcome.report);
    for (const auto& c : outcome.chain) {
        fmt::print("  certificate {} ({} {} bits, {}, until {})\n",
                   escape_control(c.subject.to_string()), to_string(c.key_algorithm), c.key_bits,
                   to_string(c.signature_hash), format_utc(c.not_after));
    }
    for (const auto& [host, found] : outcome.diagnoses) {
        fmt::print("{}:{}\n", host->host.os, found.empty() ? " no known failure case" : "");
        for (const auto& d : found) {
            fmt::print("  [{}] {}\n    fix: {}\n", d.id, d.evidence, d.fix);
            if (!d.risk.empty()) {
                fmt::print("    risk: {}\n", d.risk);
            }
        }
    }
    if (outcome.findings) {
        fmt::print("profile {}: {}\n", outcome.device->id,
                   outcome.findings->has_errors() ? "the device's certificate breaks it" : "fits");
    }
}

void examine(ProbeOutcome& outcome, const Backend& backend, const std::vector<Profile>& hosts,
             bool one_host, UnixTime now) {
    for (const auto& der : outcome.report.chain) {
        outcome.chain.push_back(backend.parse_certificate(der, "device certificate"));
    }
    if (outcome.device && !outcome.chain.empty()) {
        outcome.findings =
            verify_chain(outcome.chain, *outcome.device, now, {CertificateRole::leaf, &backend});
    }
    for (const auto& host : hosts) {
        auto found = diagnose(outcome.report, outcome.chain, host, outcome.device);
        if (one_host) {
            outcome.fix = merged_fix(found);
        }
        outcome.diagnoses.push_back({&host, std::move(found)});
    }
}

} // namespace certforge::cli
