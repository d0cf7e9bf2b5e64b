// SPDX-License-Identifier: Apache-2.0
#include "postgres_schema.hpp"

#include "../ledger_tables.hpp"
#include "certforge/errors.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <vector>

namespace certforge::ledger {
namespace {

// The same versions as the SQLite ledger's (sqlite_schema.cpp), in
// PostgreSQL's types. certificates.sequence is counted by the ledger (see
// insert_entry), as it is gapless; scep_transactions.rowid plays SQLite's
// implicit rowid: the order rows came in.
struct Migration {
    int version;
    const char* sql;
};

constexpr std::array<Migration, 3> kMigrations{{
    {1, R"sql(
CREATE TABLE certificates (
    sequence BIGINT PRIMARY KEY,
    serial TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    common_name TEXT NOT NULL,
    subject_alt_names TEXT NOT NULL,
    site TEXT NOT NULL,
    profile TEXT NOT NULL,
    source TEXT NOT NULL,
    location TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'valid', 'superseded', 'revoked', 'abandoned')),
    revoked_at BIGINT,
    revocation_reason INTEGER,
    certificate BYTEA NOT NULL
);
CREATE INDEX certificates_by_location ON certificates (location, status);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE certforge_schema (
    version INTEGER NOT NULL
);
INSERT INTO certforge_schema (version) VALUES (1);
)sql"},
    {2, R"sql(
CREATE TABLE scep_challenges (
    id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    common_name TEXT NOT NULL,
    subject_alt_names TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    uses_left BIGINT NOT NULL CHECK (uses_left >= 0)
);
CREATE TABLE scep_transactions (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    transaction_id TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('enroll', 'renewal')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'rejected')),
    profile TEXT NOT NULL,
    challenge TEXT NOT NULL,
    request BYTEA NOT NULL,
    signer_certificate BYTEA NOT NULL,
    peer TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    decided_at BIGINT,
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

// What PostgreSQL holds beyond the shared tables (ledger_tables.hpp).
const std::vector<LedgerTable>& postgres_tables() {
    static const std::vector<LedgerTable> tables{
        {1, "certforge_schema", {"version"}},
        {2, "scep_transactions", {"rowid"}},
    };
    return tables;
}

std::vector<std::string> column(Database& db, std::string_view sql, std::string_view argument) {
    Statement query(db, sql);
    if (!argument.empty()) {
        query.bind(1, argument);
    }
    std::vector<std::string> out;
    while (query.step()) {
        out.push_back(query.text(0));
    }
    return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

[[noreturn]] void not_a_ledger(const Database& db, std::string_view detail) {
    throw InputError(fmt::format("{}: not a certforge ledger ({}); name an empty database or "
                                 "schema for the ledger",
                                 db.name(), detail));
}

int found_version(Database& db, const std::vector<std::string>& tables) {
    const bool has_certificates = contains(tables, "certificates");
    if (!contains(tables, "certforge_schema")) {
        if (has_certificates) {
            not_a_ledger(db, "a certificates table without certforge_schema");
        }
        return 0;
    }
    const auto versions = column(db, "SELECT version FROM certforge_schema", "");
    if (versions.size() != 1) {
        not_a_ledger(db, fmt::format("certforge_schema has {} rows", versions.size()));
    }
    const int version = std::stoi(versions.front());
    if (version > kSchemaVersion) {
        throw InputError(fmt::format("{}: ledger schema version {} is newer than this certforge "
                                     "knows ({}); upgrade certforge",
                                     db.name(), version, kSchemaVersion));
    }
    return version;
}

void check_columns(Database& db, int version) {
    std::vector<LedgerTable> tables = ledger_tables();
    tables.insert(tables.end(), postgres_tables().begin(), postgres_tables().end());
    for (const auto& table : tables) {
        if (table.since > version) {
            continue;
        }
        const auto columns = column(db,
                                    "SELECT column_name FROM information_schema.columns WHERE "
                                    "table_schema = current_schema() AND table_name = ?1",
                                    table.name);
        for (const auto name : table.columns) {
            if (!contains(columns, name)) {
                not_a_ledger(db, columns.empty() ? fmt::format("it has no {} table", table.name)
                                                 : fmt::format("its {} table has no column {}",
                                                               table.name, name));
            }
        }
    }
}

} // namespace

void prepare_postgres_schema(Database& db) {
    WriteTransaction transaction(db);
    const auto tables = column(db,
                               "SELECT table_name FROM information_schema.tables WHERE "
                               "table_schema = current_schema()",
                               "");
    const int version = found_version(db, tables);
    check_columns(db, version);
    if (version == kSchemaVersion) {
        return;
    }
    for (const auto& migration : kMigrations) {
        if (migration.version > version) {
            db.execute(migration.sql);
        }
    }
    db.execute(fmt::format("UPDATE certforge_schema SET version = {}", kSchemaVersion));
    transaction.commit();
}

} // namespace certforge::ledger
