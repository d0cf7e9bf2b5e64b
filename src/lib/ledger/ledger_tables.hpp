// SPDX-License-Identifier: Apache-2.0
// Internal: the ledger's tables and the columns certforge reads, the same on
// every database. A schema check (sqlite/, postgresql/) requires each table
// of its version to have these columns.
#pragma once

#include <string_view>
#include <vector>

namespace certforge::ledger {

struct LedgerTable {
    int since; // the schema version that added it
    std::string_view name;
    std::vector<std::string_view> columns;
};

const std::vector<LedgerTable>& ledger_tables();

} // namespace certforge::ledger
