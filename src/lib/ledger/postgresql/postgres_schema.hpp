// SPDX-License-Identifier: Apache-2.0
// Internal: the ledger's tables in PostgreSQL, and the one place that
// decides whether a database is a certforge ledger this build can use.
#pragma once

#include "../database.hpp"

namespace certforge::ledger {

// Readies the database as a CA ledger. One that is current is only read (its
// tables and columns in one query); migrations run under the write lock, so
// that runners starting together migrate it once. Its tables live in the
// session's current schema. No ledger tables: all are made. Otherwise its schema
// version (table certforge_schema) must be one this build knows, and the
// tables must have their columns; missing migrations are run (which needs
// the CREATE grant the ledger's owner has). Throws InputError naming the
// database for one that holds a certificates table of another program or a
// newer schema; nothing is changed then.
void prepare_postgres_schema(Database& db);

} // namespace certforge::ledger
