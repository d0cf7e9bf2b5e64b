// SPDX-License-Identifier: Apache-2.0
// RAII owners and error checks for the SQLite C API.
#pragma once

#include <memory>
#include <sqlite3.h>
#include <string_view>

namespace certforge::sqlite {

struct DatabaseCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// True for the codes that say the file itself is bad: not a database
// (SQLITE_NOTADB) or damaged (SQLITE_CORRUPT), extended codes included.
bool is_file_error(int code);

// The InputError for such a code, naming the file `path`: "PATH: not a
// certforge ledger (not an SQLite database)" or "PATH: damaged SQLite file
// (DETAIL); restore it from a backup".
[[noreturn]] void throw_file_error(int code, std::string_view path, std::string_view detail);

// Throws when `code` is not `expected`: InputError for a bad file
// (is_file_error, naming the database's file), otherwise InternalError with
// `what` and SQLite's message.
void check(sqlite3* db, int code, std::string_view what, int expected = SQLITE_OK);

// Runs SQL that returns no rows; `what` names it in errors (default: the SQL).
void execute(sqlite3* db, const char* sql, std::string_view what = {});

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted.
class Transaction {
public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    sqlite3* db_;
    bool done_ = false;
};

} // namespace certforge::sqlite
