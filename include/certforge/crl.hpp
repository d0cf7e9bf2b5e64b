// SPDX-License-Identifier: Apache-2.0
// Certificate revocation lists: the reasons RFC 5280 defines and what a
// backend needs to sign a CRL.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/cert_info.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace certforge {

// RFC 5280 CRLReason values (7 is unused; removeFromCRL is delta-CRL only).
enum class RevocationReason : unsigned {
    unspecified = 0,
    key_compromise = 1,
    ca_compromise = 2,
    affiliation_changed = 3,
    superseded = 4,
    cessation_of_operation = 5,
    certificate_hold = 6,
    privilege_withdrawn = 9,
    aa_compromise = 10,
};

// "key-compromise", ...
std::string_view to_string(RevocationReason reason);
// Accepts the kebab-case names above and RFC 5280's camelCase
// ("keyCompromise"), case-insensitively. Throws UsageError listing them.
RevocationReason revocation_reason_from_name(std::string_view name);
// Every reason, in code order.
const std::vector<RevocationReason>& all_revocation_reasons();

struct RevokedCertificate {
    Bytes serial; // big-endian magnitude
    UnixTime revoked_at = 0;
    RevocationReason reason = RevocationReason::unspecified;
};

// Everything a backend needs to encode one v2 CRL. Given the same template
// and issuer every backend writes the same DER: entries in the given order
// (the caller sorts them by serial), a reasonCode entry extension except for
// "unspecified" (RFC 5280 5.3.1), then the CRL extensions cRLNumber and
// authorityKeyIdentifier (the issuer's subject key id), in OID order.
struct CrlTemplate {
    UnixTime this_update = 0;
    UnixTime next_update = 0;
    HashAlgorithm signature_hash = HashAlgorithm::sha256;
    Bytes crl_number; // big-endian, positive
    std::vector<RevokedCertificate> revoked;
};

} // namespace certforge
