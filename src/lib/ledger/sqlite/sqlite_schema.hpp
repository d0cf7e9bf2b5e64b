// SPDX-License-Identifier: Apache-2.0
// The CA ledger's tables, and the one place that decides whether a ca.db is
// a certforge ledger this build can use.
#pragma once

#include <filesystem>
#include <sqlite3.h>

namespace certforge::ledger {

// Readies the open database `db`, the file `path` (named as given in
// errors), as a CA ledger. An empty database (a new or zero-length file)
// gets the tables. Anything else is first checked without writing to it:
// it must be an intact SQLite file (quick_check) with the ledger's tables
// and columns and a schema version this build knows. Then the journal goes
// to WAL. Throws InputError, one line naming `path`, for a file that is not
// an SQLite database, is damaged, belongs to another program, or comes from
// a newer certforge; such a file is left byte for byte as it was.
// InternalError when SQLite fails otherwise.
void prepare_schema(sqlite3* db, const std::filesystem::path& path);

} // namespace certforge::ledger
