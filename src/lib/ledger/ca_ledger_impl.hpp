// SPDX-License-Identifier: Apache-2.0
// Internal: what a CaLedger holds, shared by the files that implement it:
// ca_ledger.cpp opens the database, ledger_delivery.cpp records and settles
// issuances, ledger_queries.cpp reads entries, ledger_revocation.cpp revokes
// and counts CRLs.
#pragma once

#include "certforge/ca_ledger.hpp"
#include "sqlite_handles.hpp"

#include <filesystem>

namespace certforge {

struct CaLedger::Impl {
    std::filesystem::path path; // ca.db, as named in errors
    sqlite::DatabasePtr db;
};

namespace ledger {

// Inserts a certificate's entry with `status`. Throws InputError for a
// serial already in the ledger.
std::int64_t insert_entry(sqlite3* db, const LedgerEntry& entry, LedgerStatus status);

} // namespace ledger

} // namespace certforge
