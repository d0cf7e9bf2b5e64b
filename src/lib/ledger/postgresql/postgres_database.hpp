// SPDX-License-Identifier: Apache-2.0
// Internal: the ledger in a PostgreSQL database, shared by the machines that
// issue for one CA.
#pragma once

#include "../database.hpp"

#include <memory>
#include <string>

namespace certforge::ledger {

// Connects to `url` (checked by check_ledger_url: no password in it) and
// readies the schema (postgres_schema.hpp). The password comes from libpq's
// own places (PGPASSWORD, the PGPASSFILE file or ~/.pgpass) or from the
// file named by CERTFORGE_LEDGER_PASSWORD_FILE; it is wiped once sent.
// The session waits at most 30 s for a lock and 60 s for a statement, and
// the server ends it when it idles for 60 s inside a transaction, so a
// stopped runner cannot hold the write lock. Writers take turns through a
// transaction-scoped advisory lock.
// Throws InputError (one line naming the URL) when the server cannot be
// reached or refuses us, or when its database is not a certforge ledger
// this build can use.
std::unique_ptr<Database> open_postgresql_ledger(const std::string& url);

} // namespace certforge::ledger
