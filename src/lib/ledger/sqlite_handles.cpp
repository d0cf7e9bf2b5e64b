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

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    check(db, sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr),
          "cannot prepare a query");
    statement_.reset(raw);
}

Statement& Statement::bind(int index, std::string_view text) {
    check(db_,
          sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT),
          "cannot bind a value");
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    check(db_, sqlite3_bind_int64(statement_.get(), index, value), "cannot bind a value");
    return *this;
}

Statement& Statement::bind(int index, ByteView blob) {
    // An empty span may have no data pointer, which SQLite would bind as NULL.
    check(db_,
          blob.empty() ? sqlite3_bind_zeroblob(statement_.get(), index, 0)
                       : sqlite3_bind_blob(statement_.get(), index, blob.data(),
                                           static_cast<int>(blob.size()), SQLITE_TRANSIENT),
          "cannot bind a value");
    return *this;
}

Statement& Statement::bind_null(int index) {
    check(db_, sqlite3_bind_null(statement_.get(), index), "cannot bind a value");
    return *this;
}

bool Statement::step() {
    const int code = sqlite3_step(statement_.get());
    if (code == SQLITE_ROW) {
        return true;
    }
    check(db_, code, "query failed", SQLITE_DONE);
    return false;
}

void Statement::run() {
    while (step()) {
    }
}

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(statement_.get(), column);
    const int size = sqlite3_column_bytes(statement_.get(), column);
    return data ? std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
                : std::string();
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(statement_.get(), column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
    if (sqlite3_column_type(statement_.get(), column) == SQLITE_NULL) {
        return std::nullopt;
    }
    return integer(column);
}

Bytes Statement::blob(int column) const {
    const auto* data =
        static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), column));
    const int size = sqlite3_column_bytes(statement_.get(), column);
    return data ? Bytes(data, data + size) : Bytes();
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
