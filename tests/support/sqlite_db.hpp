// SPDX-License-Identifier: Apache-2.0
// An SQLite database opened in the test process through SQLite's C API, for
// tests that look into a CA ledger (ca.db) or make databases of other
// programs: one connection, closed when the object goes. Not certforge's
// own SQLite code (src/lib/ledger), so what it reads is a second opinion.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

struct sqlite3;

namespace certforge::test {

class SqliteDb {
public:
    // Opens `path` (read-write, as python3's sqlite3.connect does); with
    // `create`, makes it when missing.
    // Fails the current test when SQLite cannot open it.
    explicit SqliteDb(const std::filesystem::path& path, bool create = false);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // Runs statements that return no rows (separated by ';'), in autocommit.
    void execute(const std::string& sql);

    // The rows of one query, each column as text (NULL as "NULL", a blob as
    // its bytes).
    std::vector<std::vector<std::string>> rows(const std::string& sql) const;

    // The same rows as text: columns joined with '|', one row a line, as
    // the sqlite3 command line prints them.
    std::string query(const std::string& sql) const;

private:
    sqlite3* db_ = nullptr;
};

} // namespace certforge::test
