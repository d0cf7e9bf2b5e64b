// SPDX-License-Identifier: Apache-2.0
// Where a test's CA ledger lives: ca.db in a folder of its own, or a new
// database on a PostgreSQL server the test started. The ledger tests run
// their scenarios on both (tests/unit/ledger_scenarios.hpp).
#pragma once

#include "certforge/ca_ledger.hpp"
#include "support/postgres_server.hpp"
#include "support/test_support.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace certforge::test {

class LedgerPlace {
public:
    // ca.db in a new folder, with a placeholder ca.crt: CaLedger looks for
    // that file only.
    LedgerPlace();
    // A new database on `server` (which must outlive this), for a CA folder
    // like the one above; ca.json is not written, so nothing binds the
    // ledger to a CA.
    explicit LedgerPlace(const PostgresServer& server);

    std::unique_ptr<CaLedger> open() const;
    // The CA folder.
    const std::filesystem::path& dir() const { return dir_.path(); }
    // The ledger as errors name it: ca.db's path, or the URL.
    std::string name() const;
    bool postgresql() const { return server_ != nullptr; }
    // The rows of a query, read without certforge: SQLite's C API or psql;
    // one a line, columns split by '|'.
    std::string query(const std::string& sql) const;

private:
    TempDir dir_;
    const PostgresServer* server_ = nullptr;
    std::string database_;
};

} // namespace certforge::test
