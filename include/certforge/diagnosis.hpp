// SPDX-License-Identifier: Apache-2.0
// From a probe to the fix: which known failure case applies between a
// device and the Terminal Server's Windows, with the evidence, the fix and
// the risk the fix carries. Pure functions of the probe report, the
// device's certificates and the profiles.
#pragma once

#include "certforge/cert_info.hpp"
#include "certforge/probe.hpp"
#include "certforge/profile.hpp"
#include "certforge/schannel.hpp"

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct Diagnosis {
    std::string id;       // "weak-dh", "dhe-broken", "claims-tls12-bad-record-mac",
                          // "sha512-tls12", "no-common-protocol", "device-legacy-crypto"
    std::string evidence; // what the probe saw
    std::string fix;      // what to do
    std::string risk;     // what the fix costs; empty when nothing
    std::optional<SchannelChange> registry; // the SChannel part of the fix, if any
};

// The cases that apply between the probed device and a Terminal Server on
// `host` (a host profile). `device` is the device's profile when known.
std::vector<Diagnosis> diagnose(const ProbeReport& report, const std::vector<CertInfo>& chain,
                                const Profile& host, const std::optional<Profile>& device);

// The protocol versions the device completed a handshake with.
std::vector<TlsVersion> supported_versions(const ProbeReport& report);

// The protocol versions a host profile enables by default, ascending, each once.
std::vector<TlsVersion> host_versions(const Profile& host);

// Whether the device answered this version and then broke the handshake
// with a bad_record_mac alert (firmware that claims TLS 1.2 but fails it).
bool claims_then_breaks(const VersionResult& result);

// A device profile drafted from what was observed, as TOML, marked as probed
// for the admin to review. `id` names it.
std::string draft_profile(const ProbeReport& report, const std::vector<CertInfo>& chain,
                          const std::string& id, UnixTime now);

// JSON of a probe report (schema::kProbe, without diagnoses).
// "speaks_tls" is false when no connection saw TLS; then "answer" says
// what came instead: {"kind": "http"|"other"|"nothing", "excerpt",
// "description"}, and "versions" is empty.
nlohmann::json to_json(const ProbeReport& report);

} // namespace certforge
