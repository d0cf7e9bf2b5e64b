// SPDX-License-Identifier: Apache-2.0
// Which devices a Terminal Server setting would break: a model of
// SChannel's client side (the Terminal Server connects to the devices)
// against what each device showed in its probe. Pure functions.
//
// The model: SChannel offers its enabled versions and stops at the
// device's answer (no fallback): the device answers the highest version it
// speaks up to the server's highest (TLS 1.3 only when both enable it), and
// the handshake fails when that version is disabled on the server or
// breaks on the device (a bad_record_mac after claiming it). At that
// version the device picks the first suite, in its own order, that the
// server offers (no DHE when Diffie-Hellman is off); a DHE group under the
// server's minimum ends the handshake. Suites are told apart by key
// exchange only: bulk ciphers (RC4, 3DES) are not modelled. A device whose
// profile says it breaks on DHE breaks when it picks DHE. A server
// certificate is judged only in the certificate column: by the device's
// profile when it names one, else by the device's own certificate (a
// SHA-1 or RSA-1024 one is a risk, not a certainty).
#pragma once

#include "certforge/cert_info.hpp"
#include "certforge/probe.hpp"
#include "certforge/profile.hpp"
#include "certforge/schannel.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certforge {

// The Terminal Server's client-side TLS settings.
struct ServerSettings {
    std::vector<TlsVersion> versions; // enabled, ascending
    unsigned dh_min_bits = 1024;
    bool dhe = true;
    // Judge a SHA-256/RSA-2048 Terminal Server certificate (the devices
    // must accept it); otherwise the certificate is left out.
    bool modern_certificate = false;

    bool operator==(const ServerSettings&) const = default;
};

// A host profile's defaults.
ServerSettings settings_of(const Profile& host);

// What one device showed: its probe, chain and profile (when named).
struct DeviceEvidence {
    const ProbeReport* report = nullptr;
    const std::vector<CertInfo>* chain = nullptr;
    const Profile* profile = nullptr;
};

enum class Verdict { works, risk, breaks };

struct DeviceVerdict {
    Verdict verdict = Verdict::works;
    std::string reason; // one line; empty when it works
};

DeviceVerdict evaluate(const DeviceEvidence& device, const ServerSettings& server);

// One column of the matrix.
struct CandidateChange {
    std::string id;          // "baseline", "disable-tls1.0", "windows-server-2025", ...
    std::string description; // "disable TLS 1.0"
    ServerSettings settings;
};

// The columns: the baseline (a host profile's defaults); disabling TLS 1.0
// and TLS 1.1, a DH minimum of 2048 and disabling DHE, each applied to the
// baseline; each host profile's defaults; and a SHA-256/RSA-2048 Terminal
// Server certificate with the baseline's protocols.
std::vector<CandidateChange> candidate_changes(const Profile& baseline,
                                               const std::vector<Profile>& hosts);

// The strongest settings that keep the most devices working: every
// combination of enabled versions, DH minimum (512, 768, 1024, 2048) and
// DHE on or off is tried; among those that keep the most devices working,
// the one with the least weakness wins (SSL 3.0, TLS 1.0, TLS 1.1 enabled,
// TLS 1.2 disabled, a DH minimum under 2048, DHE off), then the one that
// changes the fewest settings of the baseline.
struct Recommendation {
    ServerSettings settings;
    std::vector<std::size_t> breaking; // devices (indexes) that break even so
    // The change from the baseline, side client; empty when there is none.
    std::optional<SchannelChange> change;
};

Recommendation recommend(const std::vector<DeviceEvidence>& devices,
                         const ServerSettings& baseline);

std::string_view to_string(Verdict verdict);

} // namespace certforge
