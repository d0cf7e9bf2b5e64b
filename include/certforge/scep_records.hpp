// SPDX-License-Identifier: Apache-2.0
// What the CA ledger keeps for SCEP: one-time challenges (stored only as
// the SHA-256 of the secret) and every PKIOperation that asked for a
// certificate, with what became of it. Written through CaLedger
// (ca_ledger.hpp).
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/cert_info.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

struct ScepChallenge {
    std::string id;          // 8 hex digits: named in logs and lists, grants nothing
    std::string profile;     // a request must fit it
    std::string common_name; // empty: any
    std::vector<std::string> subject_alt_names; // "dns:NAME", "ip:ADDRESS"; empty: any
    UnixTime created_at = 0;
    UnixTime expires_at = 0;
    std::int64_t uses_left = 1;
};

enum class ScepTransactionStatus { pending, issued, rejected };
std::string_view to_string(ScepTransactionStatus status);
// Throws UsageError for an unknown name, listing the known ones.
ScepTransactionStatus scep_transaction_status_from_name(std::string_view name);

struct ScepTransaction {
    std::string transaction_id;
    // SHA-256 of the CSR and its signer: the signer's certificate when the
    // CA issued it (a renewal), else "self-signed". A retry of the same
    // request, however signed, is the same row; a renewal of the same CSR,
    // signed with the certificate it got, is another.
    std::string request_sha256;
    bool renewal = false;
    ScepTransactionStatus status = ScepTransactionStatus::pending;
    std::string profile;
    std::string challenge; // the challenge's id; empty for a renewal
    Bytes request;         // the CSR, DER
    Bytes signer_certificate;
    std::string peer; // the client's address
    UnixTime received_at = 0;
    std::optional<UnixTime> decided_at;
    std::string serial; // issued: the certificate
    std::string reason; // rejected: why
};

} // namespace certforge
