// SPDX-License-Identifier: Apache-2.0
#include "postgres_schema.hpp"

#include "../ledger_tables.hpp"
#include "certforge/errors.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>
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

// The tables of the session's schema and their columns, in one query.
using Shape = std::map<std::string, std::vector<std::string>, std::less<>>;

Shape read_shape(Database& db) {
    Statement query(db, "SELECT table_name, column_name FROM information_schema.columns WHERE "
                        "table_schema = current_schema()");
    Shape shape;
    while (query.step()) {
        shape[query.text(0)].push_back(query.text(1));
    }
    return shape;
}

[[noreturn]] void not_a_ledger(const Database& db, std::string_view detail) {
    throw InputError(fmt::format("{}: not a certforge ledger ({}); name an empty database or "
                                 "schema for the ledger",
                                 db.name(), detail));
}

// The schema version of the ledger `shape` shows (0: no ledger yet).
int found_version(Database& db, const Shape& shape) {
    if (!shape.contains("certforge_schema")) {
        if (shape.contains("certificates")) {
            not_a_ledger(db, "a certificates table without certforge_schema");
        }
        return 0;
    }
    Statement query(db, "SELECT version FROM certforge_schema");
    std::vector<std::int64_t> versions;
    while (query.step()) {
        versions.push_back(query.integer(0));
    }
    if (versions.size() != 1) {
        not_a_ledger(db, fmt::format("certforge_schema has {} rows", versions.size()));
    }
    const auto version = versions.front();
    if (version > kSchemaVersion) {
        throw InputError(fmt::format("{}: ledger schema version {} is newer than this certforge "
                                     "knows ({}); upgrade certforge",
                                     db.name(), version, kSchemaVersion));
    }
    return static_cast<int>(version);
}

void check_columns(const Database& db, const Shape& shape, int version) {
    std::vector<LedgerTable> tables = ledger_tables();
    tables.insert(tables.end(), postgres_tables().begin(), postgres_tables().end());
    for (const auto& table : tables) {
        if (table.since > version) {
            continue;
        }
        const auto found = shape.find(table.name);
        if (found == shape.end()) {
            not_a_ledger(db, fmt::format("it has no {} table", table.name));
        }
        for (const auto name : table.columns) {
            if (std::find(found->second.begin(), found->second.end(), name) ==
                found->second.end()) {
                not_a_ledger(db, fmt::format("its {} table has no column {}", table.name, name));
            }
        }
    }
}

// The version of the ledger as it stands, after checking its tables.
int checked_version(Database& db) {
    const Shape shape = read_shape(db);
    const int version = found_version(db, shape);
    check_columns(db, shape, version);
    return version;
}

} // namespace

void prepare_postgres_schema(Database& db) {
    // A current ledger is only read: opening one takes no lock.
    if (checked_version(db) == kSchemaVersion) {
        return;
    }
    // Another runner may have migrated it meanwhile: look again under the lock.
    WriteTransaction transaction(db);
    const int version = checked_version(db);
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
