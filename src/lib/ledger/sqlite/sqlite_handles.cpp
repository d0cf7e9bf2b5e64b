// SPDX-License-Identifier: Apache-2.0
#include "sqlite_handles.hpp"

#include "certforge/errors.hpp"

#include <fmt/format.h>

namespace certforge::sqlite {

bool is_file_error(int code) {
    const int primary = code & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

void throw_file_error(int code, std::string_view path, std::string_view detail) {
    if ((code & 0xff) == SQLITE_NOTADB) {
        throw InputError(fmt::format("{}: not a certforge ledger (not an SQLite database); move it "
                                     "out of the CA folder",
                                     path));
    }
    throw InputError(
        fmt::format("{}: damaged SQLite file ({}); restore it from a backup", path, detail));
}

void check(sqlite3* db, int code, std::string_view what, int expected) {
    if (code == expected) {
        return;
    }
    const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    if (is_file_error(code)) {
        const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
        throw_file_error(code, file && *file ? file : "the CA ledger", message);
    }
    throw InternalError(fmt::format("CA ledger: {}: {}", what, message));
}

void execute(sqlite3* db, const char* sql, std::string_view what) {
    check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), what.empty() ? sql : what);
}

Transaction::Transaction(sqlite3* db) : db_(db) {
    execute(db, "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    execute(db_, "COMMIT");
    done_ = true;
}

} // namespace certforge::sqlite
