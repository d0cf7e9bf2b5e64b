// SPDX-License-Identifier: Apache-2.0
#include "ledger_tables.hpp"

namespace certforge::ledger {

const std::vector<LedgerTable>& ledger_tables() {
    static const std::vector<LedgerTable> tables{
        {1,
         "certificates",
         {"sequence", "serial", "subject", "common_name", "subject_alt_names", "site", "profile",
          "source", "location", "not_before", "not_after", "issued_at", "sha256", "status",
          "revoked_at", "revocation_reason", "certificate"}},
        {1, "counters", {"name", "value"}},
        {2,
         "scep_challenges",
         {"id", "secret_sha256", "profile", "common_name", "subject_alt_names", "created_at",
          "expires_at", "uses_left"}},
        {2,
         "scep_transactions",
         {"transaction_id", "request_sha256", "kind", "status", "profile", "challenge", "request",
          "signer_certificate", "peer", "received_at", "decided_at", "serial", "reason"}},
        {3, "properties", {"name", "value"}},
    };
    return tables;
}

} // namespace certforge::ledger
