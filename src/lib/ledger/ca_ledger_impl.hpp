// SPDX-License-Identifier: Apache-2.0
// Internal: what a CaLedger holds, shared by the files that implement it:
// ca_ledger.cpp opens the database, ledger_delivery.cpp records and settles
// issuances, ledger_queries.cpp reads entries, ledger_revocation.cpp revokes
// and counts CRLs, ledger_scep.cpp keeps SCEP's tables.
#pragma once

#include "certforge/ca_ledger.hpp"
#include "database.hpp"

#include <memory>

namespace certforge {

struct CaLedger::Impl {
    std::unique_ptr<ledger::Database> db;
};

namespace ledger {

// Inserts a certificate's entry with `status`. Throws InputError for a
// serial already in the ledger.
std::int64_t insert_entry(Database& db, const LedgerEntry& entry, LedgerStatus status);

} // namespace ledger

} // namespace certforge
