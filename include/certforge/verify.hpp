// SPDX-License-Identifier: Apache-2.0
// The verifier: pure checks of parsed certificates against a profile. A
// failed check is a finding in the report, never an exception.
#pragma once

#include "certforge/cert_info.hpp"
#include "certforge/containers.hpp"
#include "certforge/profile.hpp"

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace certforge {

class Backend;

enum class Severity { error, warning, info };
enum class Outcome { pass, fail };
std::string_view to_string(Severity severity);
std::string_view to_string(Outcome outcome);

// The result of one rule on one certificate (or on the chain).
struct Finding {
    std::string rule; // stable id, e.g. "signature.hash"
    Outcome outcome = Outcome::pass;
    Severity severity = Severity::info; // pass: info; fail: error or warning
    std::string message;
    std::string profile_key; // the profile setting it comes from, e.g. "signature.hashes"
};

enum class CertificateRole { leaf, ca };
std::string_view to_string(CertificateRole role);

struct CertificateReport {
    std::size_t index = 0; // position in the chain, leaf first
    CertificateRole role = CertificateRole::leaf;
    std::string subject;
    std::string serial;             // serial_hex
    std::string sha256_fingerprint; // sha256_hex
    std::vector<Finding> findings;
};

struct Report {
    std::string profile_id;
    std::string source; // the file the chain came from
    std::vector<CertificateReport> certificates;
    std::vector<Finding> chain_findings;
    std::vector<Finding> container_findings;

    std::size_t count(Outcome outcome, Severity severity) const;
    bool has_errors() const;
};

// Checks one certificate in a given role against the profile at time `now`.
std::vector<Finding> check_certificate(const CertInfo& cert, CertificateRole role,
                                       const Profile& profile, UnixTime now);

// How verify_chain reads a chain.
struct ChainOptions {
    // The role of the first certificate. It is the server certificate unless
    // the caller says otherwise, even when it is self-signed with CA:TRUE
    // (as `openssl req -x509` makes it by default): a finding says so.
    CertificateRole first_role = CertificateRole::leaf;
    // Checks each signature against the next certificate's key (and a
    // self-issued last one against its own); null: names are compared only.
    const Backend* signatures = nullptr;
};

// Checks a chain, leaf first: each certificate in its role, then chain
// length, links (names and key ids) and, with a backend, signatures.
Report verify_chain(const std::vector<CertInfo>& chain, const Profile& profile, UnixTime now,
                    const ChainOptions& options = {});

// The first error finding of a report (chain, container, then each
// certificate in order), if any.
std::optional<Finding> first_error(const Report& report);

enum class ContainerKind { pkcs12, jks, pkcs7 };
std::string_view to_string(ContainerKind kind);

// What a container said about itself when it was opened.
struct ContainerFacts {
    ContainerKind kind = ContainerKind::pkcs12;
    std::optional<Pkcs12Protection> pkcs12; // PKCS#12 only
    bool has_key = false;
    bool key_matches_leaf = false;
};

// Rules on the container itself: its encryption against the profile's
// import.pkcs12_encryption, its MAC, whether the key belongs to the leaf,
// whether the chain reaches a self-signed root. `chain` is leaf first.
std::vector<Finding> check_container(const ContainerFacts& facts,
                                     const std::vector<CertInfo>& chain, const Profile& profile);

// The JSON form of one report, as documented in README.md ("JSON output").
nlohmann::json to_json(const Report& report);

} // namespace certforge
