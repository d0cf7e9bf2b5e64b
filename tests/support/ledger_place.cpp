// SPDX-License-Identifier: Apache-2.0
#include "support/ledger_place.hpp"

#include "certforge/path_text.hpp"
#include "support/sqlite_db.hpp"

#include <fmt/format.h>

namespace certforge::test {

LedgerPlace::LedgerPlace() {
    write_text(dir_ / "ca.crt", "placeholder: the ledger needs a CA folder\n");
}

LedgerPlace::LedgerPlace(const PostgresServer& server) : LedgerPlace() {
    server_ = &server;
    database_ = server.new_database("ledger");
}

std::unique_ptr<CaLedger> LedgerPlace::open() const {
    return std::make_unique<CaLedger>(dir(), server_ ? server_->url(database_) : std::string());
}

std::string LedgerPlace::name() const {
    return server_ ? server_->url(database_) : path_text(dir() / kCaLedgerFile);
}

std::string LedgerPlace::query(const std::string& sql) const {
    if (server_) {
        return server_->psql(database_, sql);
    }
    return SqliteDb(dir() / kCaLedgerFile).query(sql);
}

} // namespace certforge::test
