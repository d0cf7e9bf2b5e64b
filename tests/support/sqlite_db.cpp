// SPDX-License-Identifier: Apache-2.0
#include "support/sqlite_db.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <sqlite3.h>

namespace certforge::test {
namespace {

struct Finalizer {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

} // namespace

SqliteDb::SqliteDb(const std::filesystem::path& path, bool create) {
    // Read-write even to read: a read-only connection to a WAL database
    // leaves ca.db-wal and ca.db-shm behind, which the last read-write one
    // removes on close.
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    const int code = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    INFO(path.string() << ": " << (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code)));
    if (code != SQLITE_OK) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
    REQUIRE(code == SQLITE_OK);
    REQUIRE(sqlite3_busy_timeout(db_, 10000) == SQLITE_OK);
}

SqliteDb::~SqliteDb() {
    sqlite3_close_v2(db_);
}

void SqliteDb::execute(const std::string& sql) {
    char* message = nullptr;
    const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    const std::string why = message ? message : "";
    sqlite3_free(message);
    INFO(sql << ": " << why);
    REQUIRE(code == SQLITE_OK);
}

std::vector<std::vector<std::string>> SqliteDb::rows(const std::string& sql) const {
    sqlite3_stmt* raw = nullptr;
    const int prepared = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
    const std::unique_ptr<sqlite3_stmt, Finalizer> statement(raw);
    INFO(sql << ": " << sqlite3_errmsg(db_));
    REQUIRE(prepared == SQLITE_OK);
    std::vector<std::vector<std::string>> out;
    int code = SQLITE_ROW;
    while ((code = sqlite3_step(raw)) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(raw); ++i) {
            if (sqlite3_column_type(raw, i) == SQLITE_NULL) {
                row.emplace_back("NULL");
                continue;
            }
            const auto* data = static_cast<const char*>(sqlite3_column_blob(raw, i));
            const auto size = static_cast<std::size_t>(sqlite3_column_bytes(raw, i));
            row.emplace_back(data ? std::string(data, size) : std::string());
        }
        out.push_back(std::move(row));
    }
    REQUIRE(code == SQLITE_DONE);
    return out;
}

std::string SqliteDb::query(const std::string& sql) const {
    std::string out;
    for (const auto& row : rows(sql)) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out += (i == 0 ? "" : "|") + row[i];
        }
        out += '\n';
    }
    return out;
}

} // namespace certforge::test
