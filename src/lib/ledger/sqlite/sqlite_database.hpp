// SPDX-License-Identifier: Apache-2.0
// Internal: the ledger in an SQLite file (ca.db, the default).
#pragma once

#include "../database.hpp"

#include <filesystem>
#include <memory>

namespace certforge::ledger {

// Opens the ledger file `path`, creating it when missing, and readies its
// schema (sqlite_schema.hpp): InputError, naming `path`, for a file that is
// not a certforge ledger this build can use. Writers take SQLite's write
// lock up front (BEGIN IMMEDIATE) and wait up to 30 s for it.
std::unique_ptr<Database> open_sqlite_ledger(const std::filesystem::path& path);

} // namespace certforge::ledger
