// SPDX-License-Identifier: Apache-2.0
// A build without libpq: a PostgreSQL ledger is refused with the reason.
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "postgres_database.hpp"

namespace certforge {

void check_ledger_url(std::string_view) {
    throw UsageError("this certforge was built without PostgreSQL (libpq), so its CA ledger can "
                     "only be ca.db");
}

namespace ledger {

std::unique_ptr<Database> open_postgresql_ledger(const std::string& url) {
    check_ledger_url(url);
    return nullptr;
}

} // namespace ledger

} // namespace certforge
