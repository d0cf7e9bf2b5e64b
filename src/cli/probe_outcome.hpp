// SPDX-License-Identifier: Apache-2.0
// What the probe makes of one device's report, shared by the single probe
// and the fleet: its chain read, its certificate checked against its
// profile, its failure cases per Terminal Server host, as text and JSON
// (schema certforge.probe/N).
#pragma once

#include "certforge/backend.hpp"
#include "certforge/diagnosis.hpp"
#include "certforge/probe.hpp"
#include "certforge/profile.hpp"
#include "certforge/verify.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace certforge::cli {

// What one probe found: the device's answer, its chain, how it fits the
// device profile, and the failure cases per Terminal Server host.
struct HostCases {
    const Profile* host;
    std::vector<Diagnosis> cases;
};

struct ProbeOutcome {
    ProbeTarget target;
    ProbeReport report;
    std::vector<CertInfo> chain;
    std::optional<Profile> device;
    std::optional<Report> findings;    // with --profile and a chain
    std::vector<HostCases> diagnoses;  // one per host, in the order given to examine
    std::optional<SchannelChange> fix; // with --server-os, when a registry change helps
};

// The host profiles to diagnose against: `server_os` alone (UsageError
// when it is a device profile), or every host profile when it is empty.
std::vector<Profile> hosts_for(const std::string& server_os);

// The SChannel parts of the diagnoses, merged into one change.
std::optional<SchannelChange> merged_fix(const std::vector<Diagnosis>& diagnoses);

// Reads the chain and diagnoses a report that speaks TLS against each of
// `hosts` (which must outlive the outcome); with `one_host` also the fix.
void examine(ProbeOutcome& outcome, const Backend& backend, const std::vector<Profile>& hosts,
             bool one_host, UnixTime now);

// The probe document of one outcome (schema certforge.probe/N).
nlohmann::json outcome_json(const ProbeOutcome& outcome);

// The versions and suites of a report, indented, as `probe` prints them.
void print_versions(const ProbeReport& report);

void print_outcome(const ProbeOutcome& outcome);

} // namespace certforge::cli
