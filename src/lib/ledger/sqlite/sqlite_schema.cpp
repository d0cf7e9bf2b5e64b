// SPDX-License-Identifier: Apache-2.0
#include "sqlite_schema.hpp"

#include "../ledger_tables.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "sqlite_handles.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <vector>

namespace certforge::ledger {
namespace {

namespace fs = std::filesystem;

// Each migration takes the ledger from the version before it to its own;
// a new ledger runs them all. Applied in one transaction with the version.
struct Migration {
    int version;
    const char* sql;
};

constexpr std::array<Migration, 3> kMigrations{{
    {1, R"sql(
CREATE TABLE IF NOT EXISTS certificates (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    serial TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    common_name TEXT NOT NULL,
    subject_alt_names TEXT NOT NULL,
    site TEXT NOT NULL,
    profile TEXT NOT NULL,
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'valid', 'superseded', 'revoked', 'abandoned')),
    revoked_at INTEGER,
    revocation_reason INTEGER,
    certificate BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_by_location ON certificates (location, status);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
)sql"},
    {2, R"sql(
CREATE TABLE scep_challenges (
    id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    common_name TEXT NOT NULL,
    subject_alt_names TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0)
);
CREATE TABLE scep_transactions (
    transaction_id TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('enroll', 'renewal')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'rejected')),
    profile TEXT NOT NULL,
    challenge TEXT NOT NULL,
    request BLOB NOT NULL,
    signer_certificate BLOB NOT NULL,
    peer TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    decided_at INTEGER,
    serial TEXT,
    reason TEXT NOT NULL,
    PRIMARY KEY (transaction_id, request_sha256)
);
CREATE INDEX scep_transactions_by_status ON scep_transactions (status);
)sql"},
    {3, R"sql(
CREATE TABLE properties (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql"},
}};

constexpr int kSchemaVersion = kMigrations.back().version;

// The first column of every row of a query that only reads. SQLite's
// verdict on the file (not a database, damaged) is an InputError.
std::vector<std::string> rows(sqlite3* db, const fs::path& path, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    int code = sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr);
    const sqlite::StatementPtr statement(raw);
    std::vector<std::string> out;
    while (code == SQLITE_OK || code == SQLITE_ROW) {
        code = sqlite3_step(statement.get());
        if (code == SQLITE_ROW) {
            const auto* text = sqlite3_column_text(statement.get(), 0);
            out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
        }
    }
    if (sqlite::is_file_error(code)) {
        sqlite::throw_file_error(code, path_text(path), sqlite3_errmsg(db));
    }
    sqlite::check(db, code, "cannot read the ledger", SQLITE_DONE);
    return out;
}

[[noreturn]] void not_a_ledger(const fs::path& path, std::string_view detail) {
    throw InputError(fmt::format("{}: not a certforge ledger ({}); move it out of the CA folder",
                                 path_text(path), detail));
}

std::string names(const std::vector<std::string>& tables) {
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < tables.size() && i < 5; ++i) {
        shown.push_back(escape_control(tables[i]));
    }
    if (tables.size() > 5) {
        shown.push_back(fmt::format("and {} more", tables.size() - 5));
    }
    return fmt::format("{}", fmt::join(shown, ", "));
}

void check_existing(sqlite3* db, const fs::path& path, const std::vector<std::string>& tables,
                    long long version) {
    const bool has_certificates =
        std::find(tables.begin(), tables.end(), "certificates") != tables.end();
    if (version > kSchemaVersion && has_certificates) {
        throw InputError(fmt::format("{}: ledger schema version {} is newer than this certforge "
                                     "knows ({}); upgrade certforge",
                                     path_text(path), version, kSchemaVersion));
    }
    if (version < 1 || !has_certificates) {
        not_a_ledger(path, tables.empty() ? fmt::format("an SQLite database of user_version {} "
                                                        "without tables",
                                                        version)
                                          : fmt::format("an SQLite database with other tables: {}",
                                                        names(tables)));
    }
    for (const auto& table : ledger_tables()) {
        if (table.since > version) {
            continue;
        }
        const auto columns =
            rows(db, path, fmt::format("SELECT name FROM pragma_table_info('{}')", table.name));
        for (const auto column : table.columns) {
            if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
                not_a_ledger(path, columns.empty() ? fmt::format("it has no {} table", table.name)
                                                   : fmt::format("its {} table has no column {}",
                                                                 table.name, column));
            }
        }
    }
    const auto verdict = rows(db, path, "PRAGMA quick_check(1)");
    if (verdict.size() != 1 || verdict.front() != "ok") {
        std::string detail = verdict.empty() ? std::string("no verdict") : verdict.front();
        if (detail.starts_with("*** in database main ***\n")) {
            detail.erase(0, detail.find('\n') + 1);
        }
        std::replace(detail.begin(), detail.end(), '\n', ' ');
        sqlite::throw_file_error(SQLITE_CORRUPT, path_text(path),
                                 fmt::format("quick_check: {}", escape_control(detail)));
    }
}

// Runs the migrations the ledger lacks, under the write lock, so that two
// processes opening an old ledger at once migrate it once.
void migrate(sqlite3* db, const fs::path& path) {
    sqlite::Transaction transaction(db);
    const auto version = rows(db, path, "PRAGMA user_version");
    const long long current = version.empty() ? 0 : std::stoll(version.front());
    for (const auto& migration : kMigrations) {
        if (migration.version > current) {
            sqlite::execute(
                db, migration.sql,
                fmt::format("cannot migrate the ledger to version {}", migration.version));
        }
    }
    if (current < kSchemaVersion) {
        sqlite::execute(db, fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
    }
    transaction.commit();
}

} // namespace

void prepare_schema(sqlite3* db, const fs::path& path) {
    const auto tables = rows(db, path,
                             "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                             "LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name");
    const auto version = rows(db, path, "PRAGMA user_version");
    const long long found = version.empty() ? 0 : std::stoll(version.front());
    const bool empty = tables.empty() && found == 0;
    if (!empty) {
        check_existing(db, path, tables, found);
    }
    if (empty || found < kSchemaVersion) {
        migrate(db, path);
    }
    sqlite::execute(db, "PRAGMA journal_mode = WAL");
    sqlite::execute(db, "PRAGMA synchronous = FULL");
}

} // namespace certforge::ledger
